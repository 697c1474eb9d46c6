"""'Which patients resist': rates, Newcombe differences and multivariable odds ratios checked by hand."""

import json

import numpy as np
import pandas as pd
import pytest

from her2sim.cli import main
from her2sim.errors import InputError
from her2sim.trials.resistance import FEATURES, who_resists


def _cohort(cells):
    """Patients of a neoadjuvant table from {(PIK3CA mutant, HR-positive): (patients, residual)}; every other
    feature held at one level."""
    rows = []
    for (pik3ca, hr), (n, residual) in cells.items():
        for i in range(n):
            rows.append({"pcr": i >= residual, "pik3ca_mutant": pik3ca, "hr_positive": hr, "subtype": "HER2-enriched",
                         "p95her2": False, "non_amplified_fraction": 0.001, "fcgr3a": "VV", "immune_escape": False,
                         "rank_promoter": 1.0, "lapatinib_class": 1, "age": 60.0, "tumour_cells": 1e9})
    return pd.DataFrame(rows)


def _wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_rates_newcombe_difference_and_odds_ratio_by_hand():
    table = who_resists(_cohort({(True, False): (100, 60), (False, False): (100, 30)})).set_index("feature")
    row = table.loc["PIK3CA mutant"]
    assert (row["patients_with"], row["patients_without"]) == (100, 100)
    assert row["residual_with"] == pytest.approx(0.6) and row["residual_without"] == pytest.approx(0.3)
    (l1, u1), (l2, u2) = _wilson(60, 100), _wilson(30, 100)
    assert row["difference_low"] == pytest.approx(0.3 - np.hypot(0.6 - l1, u2 - 0.3), rel=1e-9)
    assert row["difference_high"] == pytest.approx(0.3 + np.hypot(u1 - 0.6, 0.3 - l2), rel=1e-9)
    assert row["odds_ratio"] == pytest.approx((60 / 40) / (30 / 70), rel=1e-6)  # one binary covariate: sample OR
    se = np.sqrt(1 / 60 + 1 / 40 + 1 / 30 + 1 / 70)  # Woolf
    assert np.log(row["odds_ratio_high"] / row["odds_ratio"]) == pytest.approx(1.959963984540054 * se, rel=1e-4)
    assert table.loc["p95HER2", "note"] == "no patient has it" and pd.isna(table.loc["p95HER2", "odds_ratio"])


def test_multivariable_odds_ratio_separates_a_passenger_from_the_driver():
    # residual disease depends only on PIK3CA (0.6 vs 0.3); HR-positive tumours are more often PIK3CA-mutant
    table = who_resists(_cohort({(True, True): (100, 60), (True, False): (50, 30),
                                 (False, True): (50, 15), (False, False): (100, 30)})).set_index("feature")
    hr = table.loc["HR-positive"]
    assert hr["residual_with"] - hr["residual_without"] == pytest.approx(75 / 150 - 60 / 150)  # univariate: +0.1
    assert hr["odds_ratio"] == pytest.approx(1.0, abs=1e-6)  # given PIK3CA, HR status changes nothing
    assert table.loc["PIK3CA mutant", "odds_ratio"] == pytest.approx(3.5, rel=1e-6)


def test_a_table_without_the_covariates_is_refused():
    with pytest.raises(InputError, match="needs columns"):
        who_resists(pd.DataFrame({"pcr": [True, False]}))


def test_trial_writes_who_resists_matching_its_patients(tmp_path, capsys):
    out = tmp_path / "pamela"
    assert main(["trial", "pamela", "--patients", "120", "--out", str(out), "--json"]) == 0
    listed = pd.DataFrame(json.loads(capsys.readouterr().out)["who_resists"]).set_index("feature")
    written = pd.read_csv(out / "resistance.tsv", sep="\t").set_index("feature")
    assert list(written.index) == [f.name for f in FEATURES]
    patients = pd.concat([pd.read_parquet(p) for p in (out / "patients").glob("*.parquet")])
    mutant = patients["pik3ca_mutant"]
    for frame in (listed, written):
        assert frame.loc["PIK3CA mutant", "patients_with"] == mutant.sum()
        assert frame.loc["PIK3CA mutant", "residual_with"] == pytest.approx(1 - patients.loc[mutant, "pcr"].mean())
