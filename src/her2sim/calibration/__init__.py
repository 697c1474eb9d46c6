"""Calibration: the seeds' data as a PEtab problem, fitted with pyPESTO (fit.py, outputs.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from her2sim.errors import InputError

NON_PARAMETER_COLUMNS = ("start", "fval", "violations", "point", "loss", "min_slack")

Member = tuple[str, dict[str, float], dict[str, dict[str, float]]]


def load_ensemble(directory: Path) -> list[Member]:
    """(label, model-wide values, cell-line overlay values) of each member of a run's ``DIR/ensemble.tsv``:
    a ``her2sim calibrate`` run (PEtab fit) or a ``her2sim calibrate-claims`` run (claims search).
    A column ``LINE:name`` is a value in that cell line's overlay; any other column is model-wide."""
    path = Path(directory) / "ensemble.tsv"
    if not path.is_file():
        raise InputError(f"no ensemble at {path}; run `her2sim calibrate --out {directory}` "
                         f"or `her2sim calibrate-claims --out {directory}` first")
    table = pd.read_csv(path, sep="\t")
    names = [c for c in table.columns if c not in NON_PARAMETER_COLUMNS]
    if table.empty or not names:
        raise InputError(f"{path} holds no parameter sets")
    if "start" in table:
        labels = [f"start {int(s)}" for s in table["start"]]
    elif "point" in table:
        labels = [f"point {int(s)}" for s in table["point"]]
    else:
        labels = [f"member {i}" for i in table.index]
    members = []
    for label, (_, row) in zip(labels, table.iterrows(), strict=True):
        model, lines = {}, {}
        for name in names:
            line, _, parameter = name.rpartition(":")
            if line:
                lines.setdefault(line, {})[parameter] = float(row[name])
            else:
                model[name] = float(row[name])
        members.append((label, model, lines))
    return members


__all__ = ["load_ensemble"]
