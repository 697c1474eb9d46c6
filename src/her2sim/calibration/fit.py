"""Multi-start fitting of the PEtab problem with pyPESTO, gradients from AMICI.

Design
- The problem is the one ``her2sim export petab`` writes; ordinal observations go through
  pyPESTO's optimal-scaling (hierarchical) objective, whose gradient comes from AMICI
  forward sensitivities: exact up to the solver tolerance, no finite differences.
- AMICI compiles the model once (about 30 s) into a cache keyed by the SBML text and
  the AMICI version, so an edited model is never simulated with a stale binary.
- Start i draws its point from ``numpy.random.default_rng([seed, i, attempt])`` (start 0
  is the package defaults; a point where the model does not simulate is redrawn), so a
  start's result does not depend on how many workers ran or in which order. Each
  finished start is written at once (``starts/start_NNN.json``, atomic rename); a rerun
  skips the starts already on disk, so killing a run loses only the starts in flight.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from her2sim.calibration.shared_preequilibration import share_preequilibration
from her2sim.errors import InputError

# rtol 1e-6 / atol 1e-9 (nM) for integration: the gradient stays within 0.3 % of rtol 1e-8 /
# atol 1e-16 at the package defaults and is 2-3x cheaper (benchmarks/bench_gradient.py).
# The steady-state test must stay tight: AMICI derives it from the integration tolerances
# (x100), which stopped pre-equilibration early and moved the objective by 6 %.
RELATIVE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-9
STEADY_STATE_RELATIVE_TOLERANCE = 1e-10
STEADY_STATE_ABSOLUTE_TOLERANCE = 1e-12
MODEL_NAME = "her2sim_petab"


@dataclass(frozen=True)
class RunSettings:
    seed: int
    max_iterations: int
    problem_hash: str

    def as_dict(self) -> dict:
        return {"seed": self.seed, "max_iterations": self.max_iterations, "problem_hash": self.problem_hash}


def cache_root() -> Path:
    return Path(os.environ.get("HER2SIM_CACHE", Path.home() / ".cache" / "her2sim"))


def problem_hash(petab_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("model.xml", "conditions.tsv", "observables.tsv", "measurements.tsv", "parameters.tsv"):
        digest.update((petab_dir / name).read_bytes())
    return digest.hexdigest()[:16]


def _amici_folder(petab_dir: Path) -> Path:
    import amici

    model_hash = hashlib.sha256((petab_dir / "model.xml").read_bytes()).hexdigest()[:16]
    return cache_root() / "amici" / f"{model_hash}-amici{amici.__version__}"


def _build_tools_on_path() -> None:
    # AMICI compiles the model with cmake and SWIG; pip installs both next to this interpreter,
    # which is not on PATH when the venv is not activated (e.g. `.venv/bin/her2sim calibrate`).
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def load_problem(petab_dir: Path, shared_preequilibration: bool = True):
    """The pyPESTO problem (hierarchical/ordinal objective on AMICI) for an exported PEtab directory.

    ``shared_preequilibration`` runs each variant's steady state once per call
    (calibration/shared_preequilibration.py); False leaves it to AMICI, once per experiment.
    """
    _build_tools_on_path()
    import petab.v1 as petab
    import pypesto.petab

    _quiet_libraries()

    petab_problem = petab.Problem.from_yaml(str(petab_dir / "problem.yaml"))
    folder = _amici_folder(petab_dir)
    importer = pypesto.petab.PetabImporter(petab_problem, hierarchical=True, model_name=MODEL_NAME,
                                           output_folder=str(folder))
    problem = importer.create_problem(verbose=False)
    solver = problem.objective.amici_solver
    solver.set_relative_tolerance(RELATIVE_TOLERANCE)
    solver.set_absolute_tolerance(ABSOLUTE_TOLERANCE)
    solver.set_relative_tolerance_steady_state(STEADY_STATE_RELATIVE_TOLERANCE)
    solver.set_absolute_tolerance_steady_state(STEADY_STATE_ABSOLUTE_TOLERANCE)
    solver.set_relative_tolerance_steady_state_sensi(STEADY_STATE_RELATIVE_TOLERANCE)
    solver.set_absolute_tolerance_steady_state_sensi(STEADY_STATE_ABSOLUTE_TOLERANCE)
    solver.set_max_steps(200_000)
    if shared_preequilibration:
        share_preequilibration(problem.objective)
    return problem


def _quiet_libraries() -> None:
    # Failed trial simulations (a line search stepping into a stiff corner) come back as an
    # infinite objective, which the optimiser handles; AMICI's per-simulation log lines are noise.
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in ("amici", "pypesto", "petab"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def nominal_point(problem, petab_dir: Path) -> np.ndarray:
    """The package defaults on the problem's (log10) scale, free parameters only."""
    import pandas as pd

    table = pd.read_csv(petab_dir / "parameters.tsv", sep="\t", index_col="parameterId")
    return np.array([np.log10(table.loc[problem.x_names[i], "nominalValue"]) for i in problem.x_free_indices])


def start_point(problem, petab_dir: Path, seed: int, index: int, attempt: int = 0) -> np.ndarray:
    if index == 0 and attempt == 0:
        return nominal_point(problem, petab_dir)
    rng = np.random.default_rng([seed, index, attempt])
    lb, ub = np.asarray(problem.lb), np.asarray(problem.ub)
    return lb + rng.random(lb.size) * (ub - lb)


MAX_RESAMPLES = 20


def feasible_start(problem, petab_dir: Path, seed: int, index: int) -> np.ndarray:
    """The first point of start ``index``'s sequence where the model simulates (finite objective)."""
    for attempt in range(MAX_RESAMPLES):
        x0 = start_point(problem, petab_dir, seed, index, attempt)
        if np.isfinite(problem.objective(x0)):
            return x0
    return x0


# ------------------------------------------------------------------ worker side
_WORKER: dict = {}


def _worker_problem(petab_dir: str):
    if _WORKER.get("dir") != petab_dir:
        _WORKER["problem"] = load_problem(Path(petab_dir))
        _WORKER["dir"] = petab_dir
    return _WORKER["problem"]


def run_start(petab_dir: str, index: int, seed: int, max_iterations: int) -> dict:
    """One local optimisation (L-BFGS-B on log10 scale) from start ``index``."""
    import pypesto.optimize

    problem = _worker_problem(petab_dir)
    x0 = feasible_start(problem, Path(petab_dir), seed, index)
    # maxfun caps line-search evaluations too, so a start costs at most max_iterations + 4 gradients
    optimizer = pypesto.optimize.ScipyOptimizer(
        method="L-BFGS-B", options={"maxiter": max_iterations, "maxfun": max_iterations + 4})
    started = time.perf_counter()
    result = optimizer.minimize(problem, x0=x0, id=str(index),
                                optimize_options=pypesto.optimize.OptimizeOptions(allow_failed_starts=True))
    fval = float(result.fval) if result.fval is not None and np.isfinite(result.fval) else None
    return {
        "index": index, "x": [float(v) for v in result.x[problem.x_free_indices]] if result.x is not None else None,
        "x0": [float(v) for v in x0], "fval": fval, "fval0": _finite(result.fval0),
        "n_fval": int(result.n_fval or 0), "n_grad": int(result.n_grad or 0), "exitflag": int(result.exitflag or 0),
        "message": str(result.message), "time_s": time.perf_counter() - started,
        "parameter_ids": [problem.x_names[i] for i in problem.x_free_indices],
    }


def _finite(value) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


# ------------------------------------------------------------------ driver side
def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(text)
    os.replace(tmp, path)


def prepare_run(out: Path, seed: int, max_iterations: int) -> tuple[Path, RunSettings]:
    """Write the PEtab problem into ``out/petab`` and check a previous run there is compatible."""
    from her2sim.calibration.petab_export import write_petab

    petab_dir = out / "petab"
    write_petab(petab_dir)
    settings = RunSettings(seed, max_iterations, problem_hash(petab_dir))
    run_file = out / "run.json"
    if run_file.exists():
        previous = json.loads(run_file.read_text())
        if previous != settings.as_dict():
            changed = ", ".join(k for k in previous if previous[k] != settings.as_dict().get(k))
            raise InputError(f"{out} holds a calibration run with a different {changed}; "
                             "resume with the same settings or choose a new --out")
    (out / "starts").mkdir(parents=True, exist_ok=True)
    _write_atomic(run_file, json.dumps(settings.as_dict()))
    return petab_dir, settings


def start_file(out: Path, index: int) -> Path:
    return out / "starts" / f"start_{index:03d}.json"


def finished_starts(out: Path, n_starts: int) -> dict[int, dict]:
    done = {}
    for i in range(n_starts):
        path = start_file(out, i)
        if path.exists():
            done[i] = json.loads(path.read_text())
    return done


def run_multistart(out: Path, starts: int, workers: int, seed: int, max_iterations: int,
                   on_start_done=None) -> dict[int, dict]:
    """Run the missing starts (in ``workers`` processes) and return all finished ones."""
    petab_dir, _ = prepare_run(out, seed, max_iterations)
    done = finished_starts(out, starts)
    missing = [i for i in range(starts) if i not in done]
    if on_start_done:
        for record in done.values():
            on_start_done(record, resumed=True)
    if not missing:
        return done
    _worker_problem(str(petab_dir))  # compile here, once, before workers import the module
    if workers == 1:
        for i in missing:
            record = run_start(str(petab_dir), i, seed, max_iterations)
            _write_atomic(start_file(out, i), json.dumps(record))
            done[i] = record
            if on_start_done:
                on_start_done(record, resumed=False)
        return done
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        pending = {pool.submit(run_start, str(petab_dir), i, seed, max_iterations) for i in missing}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                record = future.result()
                _write_atomic(start_file(out, record["index"]), json.dumps(record))
                done[record["index"]] = record
                if on_start_done:
                    on_start_done(record, resumed=False)
    return done


def pypesto_result(problem, records: dict[int, dict]):
    """The finished starts as a pyPESTO Result (sorted by objective value)."""
    import pypesto

    result = pypesto.Result(problem)
    for i in sorted(records):
        r = records[i]
        x_full = problem.get_full_vector(np.asarray(r["x"])) if r["x"] is not None else None
        result.optimize_result.append(pypesto.OptimizerResult(
            id=str(i), x=x_full, fval=r["fval"] if r["fval"] is not None else np.inf, x0=problem.get_full_vector(
                np.asarray(r["x0"])), fval0=r["fval0"], n_fval=r["n_fval"], n_grad=r["n_grad"],
            exitflag=r["exitflag"], time=r["time_s"], message=r["message"], optimizer="scipy L-BFGS-B"))
    result.optimize_result.sort()
    return result


__all__ = ["RunSettings", "cache_root", "load_problem", "nominal_point", "pypesto_result", "run_multistart",
           "run_start", "start_point"]
