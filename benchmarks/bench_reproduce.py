"""Benchmark: the full in vitro `reproduce` run against the same simulations done one by one
with plain libroadrunner calls, in the same process.

her2sim path: one compiled model, variants applied as parameter values, resting states
cached per variant. Reference path (what a script without her2sim would do): for each
simulation, load the SBML into a new RoadRunner, set the variant's parameters,
pre-equilibrate, apply the protocol's events, read out. The reference is timed on a
random sample of the simulations (loading SBML costs ~0.6 s each) and scaled to the
full count; the sample size and the per-simulation times are printed.

Run: .venv/bin/python benchmarks/bench_reproduce.py [--sample 40] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import time

import roadrunner
from plain import plain_roadrunner

from her2sim.claims import evaluate, in_vitro_ids
from her2sim.engine.runner import clear_caches, record_simulations
from her2sim.model import base_sbml


def her2sim_run() -> tuple[float, list, dict]:
    clear_caches()
    ids = in_vitro_ids()
    start = time.perf_counter()
    with record_simulations() as calls:
        statuses = {cid: evaluate(cid).status for cid in ids}
    return time.perf_counter() - start, calls, statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    sbml = base_sbml()
    elapsed, calls, statuses = her2sim_run()
    sample = random.Random(args.seed).sample(calls, min(args.sample, len(calls)))
    start = time.perf_counter()
    for params, protocol, selections, sample_times in sample:
        plain_roadrunner(roadrunner.RoadRunner(sbml), params, protocol, selections, sample_times)
    per_call = (time.perf_counter() - start) / len(sample)
    reference = per_call * len(calls)
    report = {
        "claims": len(statuses),
        "passed": sum(s == "pass" for s in statuses.values()),
        "simulations": len(calls),
        "her2sim_seconds": round(elapsed, 2),
        "her2sim_ms_per_simulation": round(1000 * elapsed / len(calls), 2),
        "plain_roadrunner_sample": len(sample),
        "plain_roadrunner_ms_per_simulation": round(1000 * per_call, 1),
        "plain_roadrunner_seconds_extrapolated": round(reference, 1),
        "speedup": round(reference / elapsed, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
