"""Calibration: the seeds' data as a PEtab problem, fitted with pyPESTO (fit.py, outputs.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from her2sim.errors import InputError

NON_PARAMETER_COLUMNS = ("start", "fval", "violations")


def load_ensemble(directory: Path) -> list[tuple[str, dict[str, float]]]:
    """(member label, parameter set with linear values) of a calibration run's ensemble (``DIR/ensemble.tsv``)."""
    path = Path(directory) / "ensemble.tsv"
    if not path.is_file():
        raise InputError(f"no ensemble at {path}; run `her2sim calibrate --out {directory}` first")
    table = pd.read_csv(path, sep="\t")
    names = [c for c in table.columns if c not in NON_PARAMETER_COLUMNS]
    if table.empty or not names:
        raise InputError(f"{path} holds no parameter sets")
    labels = [f"start {int(s)}" for s in table["start"]] if "start" in table else [f"member {i}" for i in table.index]
    return [(label, {name: float(row[name]) for name in names})
            for label, (_, row) in zip(labels, table.iterrows(), strict=True)]


__all__ = ["load_ensemble"]
