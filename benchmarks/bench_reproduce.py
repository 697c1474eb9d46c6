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

from her2sim.claims import evaluate, registry, seed_claims
from her2sim.engine.runner import PREEQUILIBRATION_MIN, clear_caches, configure_integrator, record_simulations
from her2sim.model import base_sbml


def her2sim_run() -> tuple[float, list, dict]:
    clear_caches()
    ids = [c for c in registry() if seed_claims()[c]["layer"] in ("signaling", "viability")]
    start = time.perf_counter()
    with record_simulations() as calls:
        statuses = {cid: evaluate(cid).status for cid in ids}
    return time.perf_counter() - start, calls, statuses


def plain_roadrunner(sbml: str, params: dict, protocol, selections, sample_times) -> list[float]:
    rr = roadrunner.RoadRunner(sbml)
    configure_integrator(rr)
    for name, value in params.items():
        rr.setValue(name, value)
    rr.reset()
    rr.setValue("growth_on", 0.0)
    rr.simulate(0, PREEQUILIBRATION_MIN, 2)
    rr.setValue("cells", 1.0)
    rr.setValue("growth_on", 1.0)
    times = sorted(set(protocol.readouts) | set(sample_times))
    points = sorted({e.time for e in protocol.events} | set(times))
    pending, clock, out, added = list(protocol.events), protocol.start, [], set()
    for point in points:
        if point > clock:
            rr.simulate(0, point - clock, 2)
            clock = point
        while pending and pending[0].time <= clock:
            event = pending.pop(0)
            if event.action == "add":
                rr.setValue(event.species, rr.getValue(event.species) + event.concentration_nM)
                added.add(event.species)
            elif event.action == "serum":
                rr.setValue("serum", event.serum)
            elif event.action in ("wash", "remove"):
                for species in (added if event.action == "wash" else {event.species}):
                    rr.setValue(species, 0.0)
        if point in times:
            out.extend(rr.getValue(s) for s in selections)
    return out


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
        plain_roadrunner(sbml, params, protocol, selections, sample_times)
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
