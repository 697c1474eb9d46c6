"""'Which patients resist': rates, Newcombe differences and multivariable odds ratios checked by hand."""

import json

import numpy as np
import pandas as pd
import pytest

from her2sim.cli import main
from her2sim.errors import InputError
from her2sim.trials.resistance import FEATURES, who_progresses, who_resists


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


def _progression_cohort(rng, n, hazard_ratio_pik3ca, hr_positive_share_of_mutant):
    """Metastatic table: exponential progression times (median 6 months), hazard x ``hazard_ratio_pik3ca`` in
    PIK3CA-mutant tumours; HR-positive status travels with PIK3CA but changes nothing; censored at 36 months."""
    mutant = rng.random(n) < 0.5
    hr = np.where(mutant, rng.random(n) < hr_positive_share_of_mutant, rng.random(n) < 1 - hr_positive_share_of_mutant)
    rate = np.log(2) / 6.0 * np.where(mutant, hazard_ratio_pik3ca, 1.0)
    months = rng.exponential(1.0 / rate)
    arm = "chemotherapy+trastuzumab"
    return pd.DataFrame({
        "hr_positive": hr, "subtype": "HER2-enriched", "pik3ca_mutant": mutant, "p95her2": False,
        "non_amplified_fraction": 0.001, "fcgr3a": "VV", "immune_escape": False, "age": 60.0,
        "tumour_cells": 1e10, "volume_doubling_days": 164.0, "chemo_kill": 0.13,
        f"pfs_months[{arm}]": np.minimum(months, 36.0), f"progressed[{arm}]": months < 36.0})


def test_kaplan_meier_medians_and_twelve_month_rates_by_hand():
    arm = "chemotherapy+trastuzumab"
    table = _progression_cohort(np.random.default_rng(0), 8, 1.0, 0.5)
    table["pik3ca_mutant"] = [True] * 4 + [False] * 4
    table[f"pfs_months[{arm}]"] = [6.0, 10.0, 14.0, 18.0, 20.0, 24.0, 30.0, 36.0]
    table[f"progressed[{arm}]"] = [True] * 7 + [False]  # the last one is censored at the end of follow-up
    row = who_progresses(table, arm).set_index("feature").loc["PIK3CA mutant"]
    # with: S = 0.75, 0.5, 0.25, 0 at 6, 10, 14, 18 -> median 10, 0.5 progression-free at 12 months
    assert (row["median_pfs_with"], row["progression_free_12_months_with"]) == (10.0, 0.5)
    assert (row["median_pfs_without"], row["progression_free_12_months_without"]) == (24.0, 1.0)


def test_cox_hazard_ratio_recovers_the_driver_and_clears_the_passenger():
    table = _progression_cohort(np.random.default_rng(1), 4000, 2.0, 0.8)
    result = who_progresses(table, "chemotherapy+trastuzumab").set_index("feature")
    driver, passenger = result.loc["PIK3CA mutant"], result.loc["HR-positive"]
    assert driver["hazard_ratio_low"] < 2.0 < driver["hazard_ratio_high"]
    assert driver["hazard_ratio"] == pytest.approx(2.0, rel=0.1)
    # univariately HR-positive tumours progress sooner (they are mostly PIK3CA-mutant) ...
    assert passenger["progression_free_12_months_with"] < passenger["progression_free_12_months_without"] - 0.05
    # ... but given PIK3CA, HR status changes nothing
    assert passenger["hazard_ratio_low"] < 1.0 < passenger["hazard_ratio_high"]
    assert result.loc["p95HER2", "note"] == "no patient has it"


def test_metastatic_trial_writes_who_progresses_matching_its_patients(tmp_path, capsys):
    out = tmp_path / "metastatic"
    assert main(["trial", "metastatic", "--patients", "80", "--out", str(out), "--json"]) == 0
    listed = pd.DataFrame(json.loads(capsys.readouterr().out)["who_resists"]).set_index("feature")
    patients = pd.concat([pd.read_parquet(p) for p in (out / "patients").glob("*.parquet")])
    assert listed.loc["HR-positive", "patients_with"] == patients["hr_positive"].sum()
    assert listed.loc["HR-positive", "hazard_ratio"] > 0
    assert main(["trial", "metastatic", "--patients", "80", "--out", str(out)]) == 0
    assert "who progresses" in capsys.readouterr().out
