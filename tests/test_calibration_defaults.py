"""Writing a calibration run's best fit into a parameters table (calibration/defaults.py)."""

import csv
import json
import shutil
from importlib import resources

import pytest

from her2sim.calibration.defaults import FIT_MARK, adopt
from her2sim.errors import InputError


def _run_dir(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"seed": 3, "max_iterations": 8, "problem_hash": "x"}))
    (run / "summary.json").write_text(json.dumps({"starts": 20, "best_fval": 0.0019}))
    (run / "identifiability.tsv").write_text(
        "parameter\tbest\tscan_min\tscan_max\tmember_min\tmember_max\tstatus\n"
        "k_TRAF6_act\t0.2\t0.1\t0.65\t0.04\t0.65\tnot determined jointly\n")
    return run


def test_adopt_rewrites_value_and_keeps_the_data_reference(tmp_path):
    table = tmp_path / "parameters.tsv"
    shutil.copy(resources.files("her2sim.model").joinpath("parameters.tsv"), table)
    before = {r["name"]: r for r in csv.DictReader(open(table), delimiter="\t")}
    assert adopt(_run_dir(tmp_path), table) == ["k_TRAF6_act"]
    rows = {r["name"]: r for r in csv.DictReader(open(table), delimiter="\t")}
    assert rows["k_TRAF6_act"]["value"] == "0.2"
    data_ref, fitted = rows["k_TRAF6_act"]["source"].split(FIT_MARK)
    assert data_ref.startswith("calibrated: seed 000") and "20 starts, seed 3" in fitted and "[0.1, 0.65]" in fitted
    assert {k: v for k, v in rows.items() if k != "k_TRAF6_act"} == {
        k: v for k, v in before.items() if k != "k_TRAF6_act"}  # every other row untouched


def test_adopt_refuses_parameters_the_run_did_not_estimate(tmp_path):
    table = tmp_path / "parameters.tsv"
    shutil.copy(resources.files("her2sim.model").joinpath("parameters.tsv"), table)
    with pytest.raises(InputError, match="were not estimated"):
        adopt(_run_dir(tmp_path), table, ["Kd_RANKL_RANK"])
    with pytest.raises(InputError, match="no identifiability.tsv"):
        adopt(tmp_path, table)
