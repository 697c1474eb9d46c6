"""Data the project ships: the seeds' cell-line observations (ordinal, for the PEtab problem) and the
published measurements the model is calibrated to or checked against (``reference_observations.tsv``)."""

from __future__ import annotations

import functools
import io
from importlib import resources

import pandas as pd

from her2sim.errors import InputError

ROLES = ("calibration", "held-out")


@functools.cache
def reference_observations() -> pd.DataFrame:
    """One row per published measurement: observableId, simulationConditionId, measurement, events/n or
    lower/upper, role and provenance."""
    text = resources.files("her2sim.data").joinpath("reference_observations.tsv").read_text()
    return pd.read_csv(io.StringIO(text), sep="\t", comment="#")


def _reference_row(observable: str, condition: str) -> pd.Series:
    table = reference_observations()
    row = table[(table["observableId"] == observable) & (table["simulationConditionId"] == condition)]
    if row.empty:
        raise InputError(f"no reference observation {observable!r} for {condition!r}; see "
                         "her2sim/data/reference_observations.tsv")
    return row.iloc[0]


def reference_value(observable: str, condition: str) -> float:
    """The published value of ``observable`` in ``condition`` (e.g. ``pcr_rate``, ``tbcrc023_24wk``)."""
    return float(_reference_row(observable, condition)["measurement"])


def reference_counts(observable: str, condition: str) -> tuple[int, int]:
    """(events, n) of a published proportion, for a binomial likelihood."""
    row = _reference_row(observable, condition)
    if pd.isna(row["events"]) or pd.isna(row["n"]):
        raise InputError(f"reference observation {observable!r} for {condition!r} is not a proportion (no events/n)")
    return int(row["events"]), int(row["n"])
