"""Search for values under which every in vitro claim holds: CMA-ES with the claims as the target.

The seeds' in vitro findings are mostly magnitudes and contrasts ("RANK at least 2-fold", "RANKL
raises p-p65 less than 3-fold", "IC50 at least 5-fold") that the PEtab problem's ordinal categories
cannot carry. Here they are the objective. Each check of each claim becomes a slack normalised by
its threshold (``claims_ranges.normalised_slack``); the loss is a squared hinge at ``margin`` plus
twice any violation, so a point where every claim holds with room to spare scores 0.

The values searched are log-scaled around their defaults within x/÷``window``. CMA-ES (``cma``,
Hansen) proposes a generation, the Dask workers evaluate it, and the generation is written to
``generations/gen_NNN.json`` at once. A rerun replays the stored generations through the same
seeded CMA-ES (its proposals depend only on the seed and the losses told), so an interrupted
search resumes where it stopped, and the result does not depend on the number of workers.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np

from her2sim.calibration.claims_ranges import Target, checked_inputs, normalised_slack
from her2sim.errors import InputError

SIMULATION_FAILURE_LOSS = 1e3  # a point whose claims cannot be simulated is worse than any that can
# the in vitro calibration rows of reference_observations.tsv that ``rows=True`` adds as targets
IN_VITRO_ROWS = ("doubling_time_h", "trastuzumab_survival_10ug")
ROW_VALUE_CAP = 10.0  # a row's value counts at most this many times its band's upper end (a line that never doubles)


def in_vitro_calibration_rows():
    """The rows of reference_observations.tsv that ``rows=True`` adds as targets."""
    from her2sim.data import reference_observations

    table = reference_observations()
    return table[(table["role"] == "calibration") & table["observableId"].isin(IN_VITRO_ROWS)]


def calibration_row_checks() -> dict[str, list]:
    """The in vitro calibration rows, each as two checks (inside its band's low and high end), by row label."""
    from her2sim.calibration.reference import MODEL, band
    from her2sim.claims.registry import Check

    checks = {}
    for _, row in in_vitro_calibration_rows().iterrows():
        low, high = band(row)
        value = min(MODEL[(row["observableId"], row["simulationConditionId"])](), ROW_VALUE_CAP * high)
        label = f"{row['observableId']}:{row['simulationConditionId']}"
        checks[label] = [Check(f"{label} band low end", value, ">=", low),
                         Check(f"{label} band high end", value, "<=", high)]
    return checks


def claims_objective(values: dict[str, float], cell_lines: dict[str, dict[str, float]], margin: float,
                     rows: bool = False) -> dict:
    """Every in vitro claim (and with ``rows`` every in vitro calibration row) under these model-wide and
    overlay values: the loss, the smallest slack and what fails."""
    from her2sim.claims import evaluate, in_vitro_ids
    from her2sim.engine.runner import cell_line_values, parameter_values

    loss, smallest, failing = 0.0, math.inf, []

    def add(label: str, checks) -> None:
        nonlocal loss, smallest
        for check in checks:
            slack = normalised_slack(check)
            loss += max(0.0, margin - slack) ** 2 + 2.0 * max(0.0, -slack)
            smallest = min(smallest, slack)
        if not all(check.passed for check in checks):
            failing.append(label)

    with parameter_values(values), cell_line_values(cell_lines):
        for claim_id in in_vitro_ids():
            result = evaluate(claim_id)
            if not result.checks:  # a simulation error: no value to measure slack on
                return dict(loss=SIMULATION_FAILURE_LOSS, min_slack=-math.inf, failing=[claim_id])
            add(claim_id, result.checks)
        if rows:
            try:
                row_checks = calibration_row_checks()
            except Exception:  # as for a claim: a row that cannot be simulated scores as a failed simulation
                return dict(loss=SIMULATION_FAILURE_LOSS, min_slack=-math.inf, failing=["calibration rows"])
            for label, checks in row_checks.items():
                add(label, checks)
    return dict(loss=loss, min_slack=smallest, failing=failing)


def split_values(targets: list[Target], values) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Model-wide values and per-line overlay values, as ``parameter_values`` and ``cell_line_values`` take them."""
    model, lines = {}, {}
    for target, value in zip(targets, values, strict=True):
        if target.cell_line is None:
            model[target.name] = float(value)
        else:
            lines.setdefault(target.cell_line, {})[target.name] = float(value)
    return model, lines


def read_point(path: Path) -> dict:
    """A point file (``best_point.json`` format: ``{"parameters": {...}, "cell_lines": {LINE: {...}}}``)."""
    try:
        point = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise InputError(f"no point file at {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path} is not a JSON point file ({e}); expected best_point.json's format") from None
    allowed = {"parameters", "cell_lines"}
    if (not isinstance(point, dict) or not set(point) <= allowed
            or not isinstance(point.get("parameters", {}), dict) or not isinstance(point.get("cell_lines", {}), dict)
            or not all(isinstance(v, dict) for v in point.get("cell_lines", {}).values())):
        raise InputError(f"{path} is not a point file: expected {{\"parameters\": {{NAME: value}}, "
                         f"\"cell_lines\": {{LINE: {{NAME: value}}}}}}")
    return point


def start_values(targets: list[Target], point: dict) -> dict[Target, float]:
    """The values a start point gives the targets; every value it sets must be a target, and positive."""
    from her2sim.calibration.claims_ranges import point_targets

    named = {t.label: t for t in targets}
    values = {}
    for target in point_targets(point):
        if target.label not in named:
            raise InputError(f"the start point sets {target.label}, which is not among the values searched; "
                             f"add it to --only or remove it from the point")
        line_values = point["parameters"] if target.cell_line is None else point["cell_lines"][target.cell_line]
        value = line_values[target.name]
        if isinstance(value, bool) or not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise InputError(f"the start point gives {target.label} = {value!r}; a log-scale search needs a "
                             f"finite value > 0")
        values[named[target.label]] = float(value)
    return values


def evaluate_candidate(targets: list[Target], defaults: list[float], x, window: float, margin: float,
                       rows: bool = False) -> dict:
    """The objective at search coordinates ``x`` (log_window of value/default, in [-1, 1])."""
    values = [d * window ** float(xi) for d, xi in zip(defaults, x, strict=True)]
    return claims_objective(*split_values(targets, values), margin, rows)


def settings_record(targets, defaults, seed, window, margin, popsize, sigma0, rows=False) -> dict:
    record = dict(targets=[t.label for t in targets], defaults=[float(d) for d in defaults], seed=seed,
                  window=window, margin=margin, popsize=popsize, sigma0=sigma0)
    if rows:  # absent when off, so the hashes of earlier searches still match
        record["calibration_rows"] = list(IN_VITRO_ROWS)
    record["hash"] = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16]
    return record


def write_ensemble(targets: list[Target], defaults: list[float], window: float, history: list[dict],
                   path: Path) -> int:
    """Every evaluated point under which all in vitro claims pass, as ``reproduce --ensemble`` reads it
    (columns ``name`` or ``LINE:name``); returns the number of members."""
    import pandas as pd

    rows = [dict(point=k, loss=h["loss"], min_slack=h["min_slack"],
                 **{t.label: d * window ** xi for t, d, xi in zip(targets, defaults, h["x"], strict=True)})
            for k, h in enumerate(history) if not h["failing"]]
    pd.DataFrame(rows, columns=["point", "loss", "min_slack", *[t.label for t in targets]]).to_csv(
        path, sep="\t", index=False, float_format="%.6g")
    return len(rows)


def progress_figure(history: list[dict], path: Path) -> None:
    """Loss of each evaluated point and the best so far (log scale), passing points marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    losses = np.array([h["loss"] for h in history])
    floor = max(losses[losses > 0].min() / 10, 1e-12) if (losses > 0).any() else 1e-12
    shown = np.maximum(losses, floor)  # a loss of exactly 0 (every margin kept) sits at the floor
    passing = np.array([not h["failing"] for h in history])
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.scatter(np.flatnonzero(~passing), shown[~passing], s=10, color="0.6", label="some claim fails")
    ax.scatter(np.flatnonzero(passing), shown[passing], s=12, color="tab:blue", label="every in vitro claim holds")
    ax.plot(np.minimum.accumulate(shown), color="black", label="best so far")
    ax.set(yscale="log", xlabel="evaluation (0: the defaults)", ylabel="claims loss",
           title="calibrate-claims: CMA-ES on the in vitro claims")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def search(targets: list[Target], out: Path, generations: int, seed: int = 0, window: float = 2.0,
           margin: float = 0.02, popsize: int | None = None, sigma0: float = 0.1, client=None,
           on_generation=None, rows: bool = False, start: dict | None = None) -> dict:
    """Run (or resume) the search; returns the best point found and the history of losses. With ``rows``
    the in vitro calibration rows (doubling times, trastuzumab survival) are targets too. ``start`` is a
    point (``best_point.json`` format) to centre the search on instead of the defaults: a later search
    can go on from an earlier one's best point with more values free."""
    import cma

    if generations < 1:
        raise InputError(f"generations must be >= 1; got {generations}")
    if not (window > 1 and math.isfinite(window)):
        raise InputError(f"the window must be a finite number > 1; got {window:g}")
    if not (margin >= 0 and math.isfinite(margin)):
        raise InputError(f"the margin must be a finite number >= 0; got {margin:g}")
    if seed < 0:
        raise InputError(f"the seed must be >= 0; got {seed}")
    if not 0 < sigma0 <= 1:
        raise InputError(f"the initial step must be in (0, 1] (a fraction of the log window); got {sigma0:g}")
    by_target = checked_inputs(targets, window, 1)
    if start is not None:
        by_target.update(start_values(targets, start))
    defaults = [by_target[t] for t in targets]
    popsize = popsize or 4 + int(3 * math.log(len(targets)))
    if popsize < 2:
        raise InputError(f"the population must be >= 2; got {popsize}")
    settings = settings_record(targets, defaults, seed, window, margin, popsize, sigma0, rows)
    out.mkdir(parents=True, exist_ok=True)
    run_file, stored = out / "run.json", out / "generations"
    if run_file.is_file() and json.loads(run_file.read_text())["hash"] != settings["hash"]:
        raise InputError(f"{out} holds a search with other settings (targets, defaults, seed, window, margin, "
                         f"population); give a new --out or the same settings")
    run_file.write_text(json.dumps(settings, indent=1))
    stored.mkdir(exist_ok=True)

    def run_points(points: list[list[float]]) -> list[dict]:
        if client is None:
            return [evaluate_candidate(targets, defaults, x, window, margin, rows) for x in points]
        futures = [client.submit(evaluate_candidate, targets, defaults, x, window, margin, rows, pure=False)
                   for x in points]
        return client.gather(futures)

    def run_rounded(point: dict) -> dict:
        if client is None:
            return claims_objective(point["parameters"], point["cell_lines"], margin, rows)
        return client.submit(claims_objective, point["parameters"], point["cell_lines"], margin, rows,
                             pure=False).result()

    start_file = stored / "start.json"
    if not start_file.is_file():  # the defaults themselves: the loss the search has to beat
        start_file.write_text(json.dumps(dict(x=[0.0] * len(targets), **run_points([[0.0] * len(targets)])[0])))
    start = json.loads(start_file.read_text())
    # cma's seed 0 means "from the clock"; seed + 1 keeps every seed reproducible
    strategy = cma.CMAEvolutionStrategy([0.0] * len(targets), sigma0, {
        "seed": seed + 1, "popsize": popsize, "bounds": [-1.0, 1.0], "verbose": -9})
    history = [start]
    for generation in range(generations):
        proposals = [list(map(float, x)) for x in strategy.ask()]
        path = stored / f"gen_{generation:03d}.json"
        if path.is_file():
            record = json.loads(path.read_text())
            if not np.allclose(record["candidates"], proposals, rtol=0, atol=1e-12):
                raise InputError(f"{path} does not match this search's proposals; the run directory was "
                                 f"changed by hand or by another cma version")
            resumed = True
        else:
            outcomes = run_points(proposals)
            record = dict(generation=generation, candidates=proposals, outcomes=outcomes)
            path.write_text(json.dumps(record))
            resumed = False
        strategy.tell([np.array(x) for x in record["candidates"]], [o["loss"] for o in record["outcomes"]])
        history.extend(dict(x=x, **o) for x, o in zip(record["candidates"], record["outcomes"], strict=True))
        if on_generation:
            on_generation(generation, min(h["loss"] for h in history), resumed)
    best = min(history, key=lambda h: (h["loss"], -h["min_slack"]))
    values = [d * window ** xi for d, xi in zip(defaults, best["x"], strict=True)]
    model, lines = split_values(targets, values)
    point = dict(parameters={k: float(f"{v:.3g}") for k, v in model.items()},
                 cell_lines={line: {k: float(f"{v:.3g}") for k, v in vs.items()} for line, vs in lines.items()})
    # the values are shipped at 3 digits, so the claims are checked again there
    rounded = run_rounded(point)
    summary = dict(
        generations=generations, evaluations=len(history), start_loss=start["loss"],
        start_min_slack=start["min_slack"], start_failing=start["failing"], best_loss=best["loss"],
        best_min_slack=best["min_slack"], best_failing=best["failing"],
        ensemble_members=sum(not h["failing"] for h in history), rounded_loss=rounded["loss"],
        rounded_min_slack=rounded["min_slack"], rounded_failing=rounded["failing"], best_point=point)
    write_ensemble(targets, defaults, window, history, out / "ensemble.tsv")
    progress_figure(history, out / "search.png")
    (out / "best_point.json").write_text(json.dumps(summary["best_point"], indent=2))
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary


__all__ = ["calibration_row_checks", "claims_objective", "in_vitro_calibration_rows",
           "evaluate_candidate", "read_point", "start_values", "search", "progress_figure", "split_values",
           "write_ensemble"]
