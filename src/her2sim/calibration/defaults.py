"""Write a calibration run's best fit into parameters.tsv as the package defaults.

Each adopted row keeps the data reference it had (its ``calibrated: <data>`` source) and
gains the run that fitted it and the interval the data allow: the 1-D scan range (values
that keep every ordering the best fit keeps) and the ensemble's range.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from her2sim.errors import InputError

FIT_MARK = " | fitted:"


def adopt(run_dir: Path, parameters_tsv: Path, names: list[str] | None = None) -> list[str]:
    """Replace the values of ``names`` (default: every estimated parameter) by the run's best fit."""
    table_path = run_dir / "identifiability.tsv"
    if not table_path.is_file():
        raise InputError(f"no identifiability.tsv in {run_dir}; run `her2sim calibrate --out {run_dir}` first")
    fit = pd.read_csv(table_path, sep="\t").set_index("parameter")
    run = json.loads((run_dir / "run.json").read_text())
    summary = json.loads((run_dir / "summary.json").read_text())
    chosen = names or list(fit.index)
    unknown = sorted(set(chosen) - set(fit.index))
    if unknown:
        raise InputError(f"{', '.join(unknown)} were not estimated in {run_dir}; estimated: {', '.join(fit.index)}")
    with open(parameters_tsv, newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["name"] not in chosen:
            continue
        f = fit.loc[row["name"]]
        data_source = row["source"].split(FIT_MARK)[0]
        row["value"] = f"{float(f['best']):.4g}"
        row["source"] = (
            f"{data_source}{FIT_MARK} her2sim calibrate ({summary['starts']} starts, seed {run['seed']}, "
            f"best objective {summary['best_fval']:.3g}); orderings kept over [{f['scan_min']:.3g}, "
            f"{f['scan_max']:.3g}] (1-D scan), ensemble [{f['member_min']:.3g}, {f['member_max']:.3g}]; "
            f"{f['status']}")
    with open(parameters_tsv, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return chosen


__all__ = ["adopt"]
