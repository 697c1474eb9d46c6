"""Cell lines, resistant derivatives and constructs as parameter overlays.

A variant never forks the model: it is a dict of parameter changes applied to
the one SBML model. Derivatives inherit their parent's overlay first.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from her2sim.errors import InputError
from her2sim.model import checked_values, load_parameters


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    parameters: dict[str, float]
    facts: tuple[str, ...] = ()
    parent: str | None = None
    derived_by: str | None = None
    kind: str = "cell line"


def _load(filename: str, kind: str) -> dict[str, Variant]:
    text = resources.files("her2sim.variants").joinpath(filename).read_text()
    known = load_parameters()
    variants = {}
    for name, entry in tomllib.loads(text).items():
        params = {k: float(v) for k, v in entry.get("parameters", {}).items()}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise InputError(f"{filename}: {name} sets unknown parameters {', '.join(unknown)}")
        variants[name] = Variant(
            name=name,
            description=entry.get("description", ""),
            parameters=params,
            facts=tuple(entry.get("facts", ())),
            parent=entry.get("parent"),
            derived_by=entry.get("derived_by"),
            kind=kind,
        )
    return variants


@functools.cache
def cell_lines() -> dict[str, Variant]:
    return _load("cell_lines.toml", "cell line")


@functools.cache
def constructs() -> dict[str, Variant]:
    return _load("constructs.toml", "construct")


def _lookup(name: str, table: dict[str, Variant], what: str) -> Variant:
    if name in table:
        return table[name]
    folded = {key.lower(): key for key in table}
    if name.lower() in folded:
        return table[folded[name.lower()]]
    raise InputError(f"unknown {what} {name!r}; allowed: {', '.join(table)}")


def cell_line(name: str) -> Variant:
    return _lookup(name, cell_lines(), "cell line")


def construct(name: str) -> Variant:
    return _lookup(name, constructs(), "construct")


def lineage(name: str) -> list[Variant]:
    """The chain from the founding parental line to ``name``."""
    chain = [cell_line(name)]
    while chain[-1].parent:
        chain.append(cell_line(chain[-1].parent))
    return chain[::-1]


# What-if values for a line's own overlay (``engine.runner.cell_line_values``); derivatives inherit them.
_LINE_VALUE_CHANGES: dict[str, dict[str, float]] = {}


def line_value_changes() -> dict[str, dict[str, float]]:
    """The what-if changes to cell-line overlays in force (empty outside ``cell_line_values``)."""
    return {line: dict(values) for line, values in _LINE_VALUE_CHANGES.items()}


def set_line_value_changes(changes: dict[str, dict[str, float]]) -> None:
    """Replace the what-if changes (checked: known lines and parameters, finite values >= 0)."""
    checked = {cell_line(line).name: checked_values(values, cell_line(line).name) for line, values in changes.items()}
    _LINE_VALUE_CHANGES.clear()
    _LINE_VALUE_CHANGES.update(checked)


def overlay(cell_line_name: str, construct_names: tuple[str, ...] | list[str] = ()) -> dict[str, float]:
    """Parameter changes for a cell line (with its ancestry) plus constructs, in order."""
    params: dict[str, float] = {}
    for variant in lineage(cell_line_name):
        params.update(variant.parameters)
        params.update(_LINE_VALUE_CHANGES.get(variant.name, {}))
    for name in construct_names:
        params.update(construct(name).parameters)
    return params


def canonical_names(cell_line_name: str, construct_names) -> tuple[str, tuple[str, ...]]:
    return cell_line(cell_line_name).name, tuple(construct(c).name for c in construct_names)
