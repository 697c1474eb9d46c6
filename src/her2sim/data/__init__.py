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


def reference_value(observable: str, condition: str) -> float:
    """The published value of ``observable`` in ``condition`` (e.g. ``pcr_rate``, ``tbcrc023_24wk``)."""
    table = reference_observations()
    row = table[(table["observableId"] == observable) & (table["simulationConditionId"] == condition)]
    if row.empty:
        raise InputError(f"no reference observation {observable!r} for {condition!r}; see "
                         "her2sim/data/reference_observations.tsv")
    return float(row["measurement"].iloc[0])
