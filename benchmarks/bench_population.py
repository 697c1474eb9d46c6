"""Benchmark: the population layer against the straightforward way of doing the same work, same run.

1. A 6-month chronic-lapatinib run on SKBR3 (deterministic). her2sim reads each state's
   division/death rates off the signalling model once per (state, drug) and solves the
   linear ODE exactly per step. The straightforward way re-simulates the signalling model
   for every state every day (no cache) and integrates the population ODE with
   scipy's solve_ivp day by day. The final state fractions of the two are compared.
2. 1000 stochastic replicates (tau-leaping, 10^4 starting cells, 4 weeks of lapatinib
   0.05 uM): her2sim vectorises over replicates; the straightforward way runs the same
   algorithm one replicate at a time. Means are compared.

Run: .venv/bin/python benchmarks/bench_population.py [--replicates 1000]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy.integrate import solve_ivp

from her2sim.engine.runner import _DEPENDENT_CACHES
from her2sim.population import STATES, Step, evolve, load_protocol, state_rates
from her2sim.population.dynamics import _tau_leap, generator, parental_fractions


def clear() -> None:
    for cache in _DEPENDENT_CACHES:
        cache.cache_clear()


def chronic_fast(steps):
    clear()
    start = time.perf_counter()
    result = evolve("SKBR3", steps, initial_cells=1e6, passage=False)
    return time.perf_counter() - start, {**result.final_fractions(), "total": float(result.totals()["cells"].iloc[-1])}


def chronic_reference(steps):
    clear()
    fractions = parental_fractions("SKBR3", (), 1e6)
    n = np.array([fractions[s] for s in STATES]) * 1e6
    start = time.perf_counter()
    for step in steps:
        for _ in range(int(round(step.days))):
            state_rates.cache_clear()  # what a script without a cache does: simulate again
            a = generator([state_rates("SKBR3", (), s, step.drugs) for s in STATES])
            n = solve_ivp(lambda t, y, a=a: a @ y, (0.0, 1.0), n, method="LSODA", rtol=1e-10, atol=1e-12).y[:, -1]
    elapsed = time.perf_counter() - start
    return elapsed, {**{s: float(v / n.sum()) for s, v in zip(STATES, n, strict=True)}, "total": float(n.sum())}


def replicates_fast(reps):
    steps = [Step(28, (("lapatinib", "0.05uM"),))]
    evolve("SKBR3", steps, initial_cells=1e4, passage=False)  # warm the rate cache for both paths
    start = time.perf_counter()
    result = evolve("SKBR3", steps, initial_cells=1e4, stochastic=True, replicates=reps, seed=1, passage=False)
    elapsed = time.perf_counter() - start
    final = result.table[result.table["day"] == 28].groupby("replicate")["cells"].sum()
    return elapsed, float(final.mean())


def replicates_reference(reps):
    drugs = (("lapatinib", "0.05uM"),)
    rates = [state_rates("SKBR3", (), s, drugs) for s in STATES]
    a = generator(rates)
    fractions = parental_fractions("SKBR3", (), 1e4)
    p = np.array([fractions[s] for s in STATES])
    start = time.perf_counter()
    finals = []
    for r in range(reps):
        rng = np.random.default_rng([1, r])
        counts = rng.multinomial(10_000, p / p.sum(), size=1).astype(float)
        for _ in range(4):  # weekly reports, as evolve does
            counts = _tau_leap(counts, rates, a, 7.0, 0.05, rng)
        finals.append(counts.sum())
    return time.perf_counter() - start, float(np.mean(finals))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicates", type=int, default=1000)
    args = parser.parse_args()
    _, steps = load_protocol("chronic-lapatinib")
    t_fast, f_fast = chronic_fast(steps)
    t_ref, f_ref = chronic_reference(steps)
    r_fast, m_fast = replicates_fast(args.replicates)
    r_ref, m_ref = replicates_reference(args.replicates)
    print(json.dumps({
        "chronic_6_months": {"her2sim_s": round(t_fast, 3), "daily_resimulation_solve_ivp_s": round(t_ref, 3),
                             "ratio": round(t_ref / t_fast, 1),
                             "max_fraction_difference": max(abs(f_fast[s] - f_ref[s]) for s in STATES),
                             "final_cells_relative_difference": abs(f_fast["total"] / f_ref["total"] - 1)},
        "stochastic_replicates": {"replicates": args.replicates, "her2sim_vectorised_s": round(r_fast, 3),
                                  "one_by_one_s": round(r_ref, 3), "ratio": round(r_ref / r_fast, 1),
                                  "mean_final_cells": [round(m_fast, 1), round(m_ref, 1)],
                                  "relative_difference_of_means": abs(m_fast / m_ref - 1)},
    }, indent=2))


if __name__ == "__main__":
    main()
