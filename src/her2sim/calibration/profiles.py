"""Profiles of the ordinal problem: one parameter fixed on a grid, the others re-optimised.

The 1-D scan of outputs.py moves one parameter with the others frozen, so it can only
say that a parameter is *not* determined. A profile lets the others compensate
(L-BFGS-B from the best fit, a few iterations, AMICI gradients) and so bounds what the
data allow for the parameter itself. With ordinal data the profile is read in
orderings: the interval is where the re-optimised model keeps as many of the data's
ordered pairs as the best fit. Each finished profile is written to
``profiles/<name>.json`` at once, so an interrupted run resumes.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

from her2sim.errors import InputError


def profile_parameter(petab_dir: str, best_x: list[float], name: str, points: int, max_iterations: int,
                      allowed_violations: int) -> dict:
    import pypesto.optimize

    from her2sim.calibration.fit import _worker_problem
    from her2sim.calibration.outputs import ordering_violations, simulated_measurements

    problem = _worker_problem(petab_dir)
    full_index = problem.x_names.index(name)
    free_pos = list(problem.x_free_indices).index(full_index)
    lb, ub = problem.lb_full[full_index], problem.ub_full[full_index]
    rows = []
    for value in np.linspace(lb, ub, points):
        problem.fix_parameters(full_index, float(value))
        try:
            x0 = np.delete(np.asarray(best_x), free_pos)
            optimizer = pypesto.optimize.ScipyOptimizer(
                method="L-BFGS-B", options={"maxiter": max_iterations, "maxfun": max_iterations + 4})
            result = optimizer.minimize(problem, x0=x0, id=f"{name}={value:.3f}",
                                        optimize_options=pypesto.optimize.OptimizeOptions(allow_failed_starts=True))
            x_free = result.x[problem.x_free_indices] if result.x is not None else x0
            table = simulated_measurements(problem, Path(petab_dir), x_free)
            ok = table["simulation"].notna().all()
            rows.append({"log10_value": float(value), "value": float(10**value),
                         "fval": float(result.fval) if ok and np.isfinite(result.fval) else None,
                         "violations": ordering_violations(table) if ok else None})
        finally:
            problem.unfix_parameters(full_index)
    kept = [r["value"] for r in rows if r["violations"] is not None and r["violations"] <= allowed_violations]
    return {"parameter": name, "points": rows, "allowed_violations": allowed_violations,
            "kept_min": min(kept) if kept else None, "kept_max": max(kept) if kept else None}


def run_profiles(out: Path, names: list[str], workers: int, points: int, max_iterations: int,
                 on_done=None) -> dict[str, dict]:
    """Profile each parameter (in parallel), skipping those already on disk."""
    petab_dir = out / "petab"
    members = pd.read_csv(out / "ensemble.tsv", sep="\t")
    estimated = [c for c in members.columns if c not in ("start", "fval", "violations")]
    unknown = sorted(set(names) - set(estimated))
    if unknown:
        raise InputError(f"cannot profile {', '.join(unknown)}: estimated parameters are {', '.join(estimated)}")
    best = members.iloc[0]
    best_x = [float(np.log10(best[c])) for c in estimated]
    allowed = int(best["violations"])
    folder = out / "profiles"
    folder.mkdir(exist_ok=True)
    done = {n: json.loads((folder / f"{n}.json").read_text()) for n in names if (folder / f"{n}.json").exists()}
    for record in done.values():
        if on_done:
            on_done(record)
    missing = [n for n in names if n not in done]
    args = [(str(petab_dir), best_x, n, points, max_iterations, allowed) for n in missing]
    if workers == 1 or len(missing) <= 1:
        results = (profile_parameter(*a) for a in args)
        for record in results:
            _save(folder, record, done, on_done)
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            for record in pool.map(_star, args):
                _save(folder, record, done, on_done)
    return done


def _star(args):
    return profile_parameter(*args)


def _save(folder: Path, record: dict, done: dict, on_done) -> None:
    tmp = folder / f"{record['parameter']}.json.part"
    tmp.write_text(json.dumps(record))
    os.replace(tmp, folder / f"{record['parameter']}.json")
    done[record["parameter"]] = record
    if on_done:
        on_done(record)


def profile_plot(profiles: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(profiles)
    fig, axes = plt.subplots(1, len(names), figsize=(3.0 * len(names), 2.8), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        rows = [r for r in profiles[name]["points"] if r["violations"] is not None]
        ax.plot([r["value"] for r in rows], [r["violations"] for r in rows], "o-")
        ax.set_xscale("log")
        ax.axhline(profiles[name]["allowed_violations"], color="k", ls="--", lw=0.8)
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("value (others re-optimised)", fontsize=7)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel("violated ordered pairs", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


__all__ = ["profile_parameter", "profile_plot", "run_profiles"]
