"""How far each value calibrated to the in vitro claims can move before a claim breaks.

The defaults' signalling and cell-fate values were calibrated with the 30 in vitro claims as the
target (src/her2sim/calibration/in_vitro_claims_point.json). Claims are pass/fail statements, so the
interval they give a value is a set, not a likelihood: the range of that value, the others held at
their defaults, over which every in vitro claim still passes. It is found by bisection on log scale
from the default towards each end of a x/÷``factor`` window. Held with the others fixed, it is the
narrowest such interval; letting the others compensate (a profile) could only widen it.

Every (value, direction) is an independent task, so the result does not depend on how many
workers run them.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from her2sim.errors import InputError

RANGE_MARK = " | claims range:"
POINT_NAME = "in_vitro_claims_point.json"


@dataclass(frozen=True)
class Target:
    """A calibrated value: model-wide (``cell_line`` None) or in one cell line's overlay."""

    name: str
    cell_line: str | None = None

    @property
    def label(self) -> str:
        return f"{self.cell_line}:{self.name}" if self.cell_line else self.name


def parse_target(text: str) -> Target:
    """``name`` for a model-wide value, ``LINE:name`` for a cell-line overlay value."""
    line, _, name = text.strip().rpartition(":")
    return Target(name=name, cell_line=line or None)


def claims_point() -> dict:
    """The in vitro claims point the defaults were set to: ``{"parameters": {...}, "cell_lines": {...}}``."""
    return json.loads(resources.files("her2sim.calibration").joinpath(POINT_NAME).read_text())


def normalised_slack(check) -> float:
    """How far a check is on the passing side of its threshold, as a fraction of the threshold."""
    scale = max(abs(check.threshold), 0.01)
    gap = check.value - check.threshold if check.op in (">", ">=") else check.threshold - check.value
    return gap / scale


def point_targets(point: dict) -> list[Target]:
    """The values a claims point sets, model-wide first."""
    return ([Target(name) for name in point.get("parameters", {})]
            + [Target(name, line) for line, values in point.get("cell_lines", {}).items() for name in values])


def default_value(target: Target) -> float:
    """The value in force for a target at the package defaults."""
    from her2sim.model import load_parameters
    from her2sim.variants import cell_line

    if target.cell_line is None:
        parameters = load_parameters()
        if target.name not in parameters:
            raise InputError(f"unknown parameter {target.name!r}; see `her2sim info` for the model's parameters")
        return float(parameters[target.name].value)
    line = cell_line(target.cell_line)
    if target.name not in line.parameters:
        raise InputError(f"{line.name} has no own value of {target.name!r}; its overlay sets "
                         f"{', '.join(sorted(line.parameters)) or 'nothing'}")
    return float(line.parameters[target.name])


def failing_claims(target: Target, value: float, order: list[str]) -> list[str]:
    """In vitro claims that fail with ``target`` at ``value``: stops at the first failure (the claims
    most likely to fail go first in ``order``), so an empty list means every claim passed."""
    from her2sim.claims import evaluate
    from her2sim.engine.runner import cell_line_values, parameter_values

    context = (parameter_values({target.name: value}) if target.cell_line is None
               else cell_line_values({target.cell_line: {target.name: value}}))
    with context:
        for claim_id in order:
            if evaluate(claim_id).status != "pass":
                return [claim_id]
    return []


def one_side(target: Target, direction: int, factor: float, steps: int) -> dict:
    """Bisect from the default towards ``default * factor**direction``; the end of the passing side."""
    from her2sim.claims import in_vitro_ids

    order = list(in_vitro_ids())
    default = default_value(target)
    inside, outside, limit = 0.0, 1.0, None  # log distance from the default, as a fraction of log(factor)
    failed = failing_claims(target, default * factor ** direction, order)
    if not failed:
        return dict(end=default * factor ** direction, reaches_window=True, limiting_claim="")
    limit = failed[0]
    for _ in range(steps):
        middle = 0.5 * (inside + outside)
        order = [limit] + [c for c in order if c != limit]
        failed = failing_claims(target, default * factor ** (direction * middle), order)
        if failed:
            outside, limit = middle, failed[0]
        else:
            inside = middle
    return dict(end=default * factor ** (direction * inside), reaches_window=False, limiting_claim=limit)


def checked_inputs(targets: list[Target], factor: float, steps: int) -> dict[Target, float]:
    """Each target's default, once the request is known to be valid (before any simulation)."""
    if not targets:
        raise InputError("no values to range; give at least one")
    if not (factor > 1 and math.isfinite(factor)):
        raise InputError(f"the window factor must be a finite number > 1; got {factor:g}")
    if steps < 1:
        raise InputError(f"bisection steps must be >= 1; got {steps}")
    defaults = {t: default_value(t) for t in targets}
    for target, value in defaults.items():
        if value <= 0:
            raise InputError(f"{target.label} is {value:g}; a log-scale range needs a positive default")
    return defaults


def claims_ranges(targets: list[Target], factor: float = 4.0, steps: int = 7, client=None,
                  on_side_done=None) -> pd.DataFrame:
    """For each target, the 1-D range over which all in vitro claims pass (see module docstring).

    ``client`` is a dask.distributed Client; without one the tasks run here, one after another.
    ``on_side_done()`` is called as each (target, direction) finishes."""
    defaults = checked_inputs(targets, factor, steps)
    tasks = [(t, d) for t in targets for d in (-1, +1)]
    if client is None:
        sides = []
        for t, d in tasks:
            sides.append(one_side(t, d, factor, steps))
            if on_side_done:
                on_side_done()
    else:
        from dask.distributed import as_completed

        futures = [client.submit(one_side, t, d, factor, steps, pure=False) for t, d in tasks]
        for _ in as_completed(futures):
            if on_side_done:
                on_side_done()
        sides = client.gather(futures)
    rows = []
    for index, target in enumerate(targets):
        low, high = sides[2 * index], sides[2 * index + 1]
        rows.append(dict(
            parameter=target.label, default=defaults[target], lower=low["end"], upper=high["end"],
            lower_reaches_window=low["reaches_window"], upper_reaches_window=high["reaches_window"],
            limiting_claim_lower=low["limiting_claim"], limiting_claim_upper=high["limiting_claim"],
            fold_down=defaults[target] / low["end"], fold_up=high["end"] / defaults[target]))
    table = pd.DataFrame(rows)
    table.attrs.update(factor=factor, steps=steps)
    return table


def range_text(row, factor: float, steps: int) -> str:
    """`[lower, upper]`, an open end written as `>=` the window's end."""
    low = f"<={row['lower']:.3g}" if row["lower_reaches_window"] else f"{row['lower']:.3g}"
    high = f">={row['upper']:.3g}" if row["upper_reaches_window"] else f"{row['upper']:.3g}"
    limits = [c for c in (row["limiting_claim_lower"], row["limiting_claim_upper"]) if c]
    return (f"{RANGE_MARK} [{low}, {high}] keeps all in vitro claims (1-D, others at default; x/÷{factor:g} "
            f"window, resolution x/÷{factor ** (1 / 2 ** steps):.3g}; her2sim claims-ranges)"
            + (f"; broken first by {', '.join(limits)}" if limits else ""))


def record_ranges(table: pd.DataFrame, parameters_tsv: Path) -> list[str]:
    """Write the model-wide rows' ranges into their ``parameters.tsv`` sources (an earlier range is replaced)."""
    factor, steps = table.attrs.get("factor", 4.0), table.attrs.get("steps", 7)
    by_name = {row["parameter"]: row for row in table.to_dict("records") if ":" not in row["parameter"]}
    with open(parameters_tsv, newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        fields, rows = reader.fieldnames, list(reader)
    written = []
    for row in rows:
        if row["name"] in by_name:
            row["source"] = row["source"].split(RANGE_MARK)[0] + range_text(by_name[row["name"]], factor, steps)
            written.append(row["name"])
    with open(parameters_tsv, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return written


__all__ = ["POINT_NAME", "RANGE_MARK", "Target", "checked_inputs", "claims_point", "claims_ranges", "default_value",
           "failing_claims", "normalised_slack", "one_side", "parse_target", "point_targets", "range_text",
           "record_ranges"]
