"""Benchmark: one objective + gradient of the calibration problem with AMICI forward
sensitivities (what `her2sim calibrate` uses) against a finite-difference gradient of the
same objective, in the same run, at the package defaults.

The finite-difference reference is what a fit without sensitivities would do: forward
differences (n + 1 objective evaluations) and central differences (2n), step 1e-4 on the
log10 scale. Agreement between the gradients is printed (cosine and relative error), and
the AMICI gradient is also timed at the tight default tolerances (rtol 1e-8, atol 1e-16)
to show what the looser calibration tolerances buy (steady-state tolerances stay tight in both).
It is also timed with AMICI pre-equilibrating every experiment itself (pyPESTO's default), against
her2sim's one pre-equilibration per cell-line variant (calibration/shared_preequilibration.py).

Run: .venv/bin/python benchmarks/bench_gradient.py [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from her2sim.calibration.fit import load_problem, nominal_point
from her2sim.calibration.petab_export import write_petab
from her2sim.calibration.shared_preequilibration import variant_groups

STEP = 1e-4


def timed(fn, repeats):
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    petab_dir = Path(tempfile.mkdtemp()) / "petab"
    write_petab(petab_dir)
    problem = load_problem(petab_dir)
    objective = problem.objective
    x = nominal_point(problem, petab_dir)
    n = x.size

    t_grad, (fval, grad) = timed(lambda: objective(x, sensi_orders=(0, 1)), args.repeats)
    t_obj, f0 = timed(lambda: objective(x, sensi_orders=(0,)), args.repeats)

    def forward():
        g = np.empty(n)
        base = objective(x, sensi_orders=(0,))
        for k in range(n):
            step = x.copy()
            step[k] += STEP
            g[k] = (objective(step, sensi_orders=(0,)) - base) / STEP
        return g

    def central():
        g = np.empty(n)
        for k in range(n):
            up, down = x.copy(), x.copy()
            up[k] += STEP
            down[k] -= STEP
            g[k] = (objective(up, sensi_orders=(0,)) - objective(down, sensi_orders=(0,))) / (2 * STEP)
        return g

    t_fwd, g_fwd = timed(forward, 1)
    t_cen, g_cen = timed(central, 1)

    solver = objective.amici_solver
    loose = (solver.get_relative_tolerance(), solver.get_absolute_tolerance())
    solver.set_relative_tolerance(1e-8)
    solver.set_absolute_tolerance(1e-16)
    t_tight, (_, grad_tight) = timed(lambda: objective(x, sensi_orders=(0, 1)), 1)
    solver.set_relative_tolerance(loose[0])
    solver.set_absolute_tolerance(loose[1])

    per_experiment = load_problem(petab_dir, shared_preequilibration=False).objective
    t_each, (f_each, g_each) = timed(lambda: per_experiment(x, sensi_orders=(0, 1)), args.repeats)

    def agreement(g):
        cos = float(g @ grad / (np.linalg.norm(g) * np.linalg.norm(grad)))
        return {"cosine": round(cos, 6), "relative_error": float(np.linalg.norm(g - grad) / np.linalg.norm(grad))}

    report = {
        "parameters": n, "objective": float(fval), "objective_only_s": round(t_obj, 3),
        "amici_objective_and_gradient_s": round(t_grad, 3),
        "finite_difference_forward_s": round(t_fwd, 3), "finite_difference_central_s": round(t_cen, 3),
        "speedup_vs_forward_fd": round(t_fwd / t_grad, 2), "speedup_vs_central_fd": round(t_cen / t_grad, 2),
        "forward_fd_vs_amici": agreement(g_fwd), "central_fd_vs_amici": agreement(g_cen),
        "amici_tight_tolerances_s": round(t_tight, 3),
        "loose_vs_tight_gradient_relative_difference": float(
            np.linalg.norm(grad - grad_tight) / np.linalg.norm(grad_tight)),
        "preequilibrations_per_call": len(variant_groups(objective.edatas)),
        "experiments": len(objective.edatas),
        "amici_per_experiment_preequilibration_s": round(t_each, 3),
        "speedup_shared_vs_per_experiment_preequilibration": round(t_each / t_grad, 2),
        "shared_vs_per_experiment": {"objective_relative_difference": abs(float(fval) - f_each) / abs(f_each),
                                     **agreement(g_each)},
        "repeats": args.repeats, "f_check": float(f0),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
