"""Benchmark: the PAMELA trial's fast path against the same patients simulated one by one with plain
libroadrunner, in the same run.

her2sim path: ``her2sim trial pamela`` on a Dask LocalCluster (2 workers): archetype rates computed
once per archetype (cold) or read from the cache (warm), then every patient's tumour propagated with a
batched matrix exponential. Reference path (what a script without her2sim would do): for each patient,
for each of the five cell states before and during treatment, load the patient's parameter values into
one RoadRunner, pre-equilibrate, add the drugs and average the rates over the window (plain
libroadrunner calls), then integrate the tumour's cell-state ODE with scipy's LSODA to surgery.

Agreement on the sample: the same pCR call for >= 99 % of patients and residual tumour burden within 1 %.
Burden is compared relatively where the reference leaves at least one cell; below that LSODA's absolute
tolerance (1e-6 cells) dominates (it returns e.g. -4e-10 cells for a tumour the drugs cleared), so those
patients are reported by their largest absolute difference in cells instead.

Run: .venv/bin/python benchmarks/bench_trial.py [--patients 20000] [--sample 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import roadrunner
from plain import plain_roadrunner
from scipy.integrate import solve_ivp

from her2sim.engine.runner import _observable_id, variant_parameters
from her2sim.model import base_sbml
from her2sim.population.dynamics import rate_window_protocol
from her2sim.trials import pamela, tumour
from her2sim.trials.engine import run_trial


def fast(patients: int, workers: int, cache: Path) -> tuple[float, float, object]:
    os.environ["HER2SIM_CACHE"] = str(cache)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        table, _ = run_trial("pamela", patients, 0, Path(out), workers=workers)
        return time.perf_counter() - start, len(table), table


def reference_rates(rr, a: tumour.Archetype) -> np.ndarray:
    """One patient's (state, field) rates with plain libroadrunner calls."""
    ids = [_observable_id(name) for name in tumour.OBSERVABLES]
    protocol = rate_window_protocol(tumour.drugs_for(a))
    out = np.zeros((len(tumour.STATES), len(tumour.FIELDS)))
    for s in range(len(tumour.STATES)):
        constructs, params = tumour._parameters(a, s)
        values = np.array(plain_roadrunner(rr, variant_parameters(tumour.REFERENCE_LINE, constructs, params),
                                           protocol, ids)).reshape(-1, len(ids)).mean(axis=0)
        out[s] = [values[0] * 1440.0, values[1] * 1440.0, *values[2:]]
    return out


def reference(rows) -> tuple[float, np.ndarray]:
    rr = roadrunner.RoadRunner(base_sbml())
    before, during, after = pamela.archetypes(rows)
    adcc = pamela.adcc_per_day(rows)
    kill = tumour.patient_drug_kill(rows)
    n0 = tumour.initial_cells(rows["tumour_cells"].to_numpy(), rows["non_amplified_fraction"].to_numpy())
    residual = np.zeros(len(rows))
    start = time.perf_counter()
    for k in range(len(rows)):
        untreated = reference_rates(rr, before[k])[None]
        treated = reference_rates(rr, during[k])[None]
        washout = reference_rates(rr, after[k])[None]
        _, a1 = tumour.in_vivo_generators(untreated, treated, adcc[k:k + 1], n0[k:k + 1], kill_scale=kill[k:k + 1])
        _, a2 = tumour.in_vivo_generators(untreated, washout, adcc[k:k + 1], n0[k:k + 1], kill_scale=kill[k:k + 1])
        y = n0[k]
        for a, days in ((a1[0], pamela.WEEKS * 7.0), (a2[0], pamela.WASHOUT_DAYS)):  # on treatment, then washout
            y = solve_ivp(lambda t, y, a=a: a @ y, (0.0, days), y, method="LSODA", rtol=1e-10, atol=1e-6).y[:, -1]
        residual[k] = y.sum()
    return time.perf_counter() - start, residual


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=20000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        cold_s, n, _ = fast(args.patients, args.workers, Path(cache))
        warm_s, n, table = fast(args.patients, args.workers, Path(cache))
    rows = pamela.cohort(0, range(args.sample))
    ref_s, residual = reference(rows)
    sample = table.iloc[:args.sample]
    fast_residual = sample["residual_cells"].to_numpy()
    ref_pcr = residual < tumour.value("pcr_residual_cells")
    counted = residual >= 1.0  # cells: below one, the reference's absolute tolerance is the measurement
    relative = np.abs(fast_residual[counted] / residual[counted] - 1)
    absolute_below_one_cell = np.abs(fast_residual - residual)[~counted].max(initial=0.0)
    per_patient_ref = ref_s / args.sample
    print(json.dumps({
        "patients": n,
        "her2sim_cold_s": round(cold_s, 1), "her2sim_warm_s": round(warm_s, 1),
        "her2sim_patients_per_s_cold": round(n / cold_s, 1), "her2sim_patients_per_s_warm": round(n / warm_s, 1),
        "reference_sample": args.sample, "reference_s": round(ref_s, 1),
        "reference_patients_per_s": round(1 / per_patient_ref, 3),
        "speedup_warm": round(per_patient_ref * n / warm_s, 1),
        "speedup_cold": round(per_patient_ref * n / cold_s, 1),
        "same_pcr_call": float(np.mean(ref_pcr == sample["pcr"].to_numpy())),
        "patients_with_residual_of_at_least_one_cell": int(counted.sum()),
        "max_relative_burden_difference": float(relative.max()),
        "median_relative_burden_difference": float(np.median(relative)),
        "max_absolute_burden_difference_below_one_cell": float(absolute_below_one_cell),
    }, indent=2))


if __name__ == "__main__":
    main()
