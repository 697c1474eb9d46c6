"""Published measurements: the shipped table is complete and consistent, calibrated constants reproduce
the values they were set from, and the comparison reports misses as misses."""

import pandas as pd
import pytest

from her2sim.calibration import reference
from her2sim.data import reference_observations, reference_value
from her2sim.errors import InputError
from her2sim.trials import pamela


def test_every_row_has_role_provenance_band_and_a_model_counterpart():
    table = reference_observations()
    reference.check_table(table)  # raises on any gap
    assert set(table["role"]) == {"calibration", "held-out"}
    assert not table.duplicated(["observableId", "simulationConditionId"]).any()


def test_wilson_band_of_a_proportion_contains_the_observed_rate():
    row = pd.Series({"events": 46, "n": 151, "lower": float("nan"), "upper": float("nan")})
    low, high = reference.band(row)
    assert low < 46 / 151 < high
    assert 0.22 < low < 0.25 and 0.37 < high < 0.40  # 95 % Wilson interval of 46/151


def test_a_row_without_model_counterpart_is_rejected():
    table = reference_observations().copy()
    table.loc[0, "observableId"] = "tumour_colour"
    with pytest.raises(InputError, match="no model counterpart"):
        reference.check_table(table)


def test_calibration_code_reads_its_targets_from_the_table():
    for weeks, (events, n) in pamela.TBCRC023_COUNTS.items():
        assert events / n == pytest.approx(reference_value("pcr_rate", f"tbcrc023_{weeks}wk"), abs=0.005)
    assert reference_value("median_pfs_months", "slamon_chemotherapy") == 4.6
    with pytest.raises(InputError, match="no reference observation"):
        reference_value("pcr_rate", "neosphere")


def test_in_vitro_rows_are_simulated_and_judged_against_their_band():
    """Cell-line potencies need no cohort: simulate them, and check the verdict is the band test. The SKBR3
    lapatinib IC50 (held out) falls in Konecny 2006's 0.03-0.08 uM."""
    table = reference_observations()
    rows = table[table["observableId"].isin(["lapatinib_ic50_uM", "trastuzumab_survival_10ug"])]
    result = reference.compare(rows)
    assert len(result) == len(rows) and result["model"].between(0, 16).all()
    in_band = (result["model"] >= result["band_low"]) & (result["model"] <= result["band_high"])
    assert (result["within"] == in_band).all()
    skbr3 = result[(result["observableId"] == "lapatinib_ic50_uM") & (result["simulationConditionId"] == "SKBR3")]
    assert bool(skbr3["within"].iloc[0])


def test_a_median_not_reached_is_marked_as_a_bound(monkeypatch):
    """A Kaplan-Meier median not reached in follow-up is reported at its end and says so, instead of a bare
    number (or an infinite one, which stopped reproduce)."""
    summaries = {True: {"median_pfs_reached[chemotherapy+trastuzumab]": True},
                 False: {"median_pfs_reached[chemotherapy+trastuzumab]": False}}
    for reached, summary in summaries.items():
        monkeypatch.setattr(reference, "_trial", lambda name, summary=summary: (None, summary, None))
        note = reference.MODEL_NOTES[("median_pfs_months", "slamon_chemotherapy+trastuzumab")]()
        assert ("lower bound" in note) is (not reached)
