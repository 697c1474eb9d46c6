"""Assay and analysis arithmetic on hand-computed cases."""

import math

import numpy as np
import pytest

from her2sim.analysis import auc_log_dose, bliss_excess, fit_4pl, four_pl, hsa_excess, loewe_combination_index
from her2sim.assays import DETECTION_FLOOR, co_ip_rank, immunoblot, qpcr
from her2sim.engine import Protocol
from her2sim.errors import InputError


def test_4pl_recovers_known_ic50_within_5_percent():
    doses = np.array([0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10])
    truth = dict(bottom=0.1, top=1.0, log_ic50=math.log(0.25), hill=1.3)
    rng = np.random.default_rng(7)
    response = four_pl(doses, **truth) + rng.normal(0, 0.01, size=doses.size)
    fit = fit_4pl(doses, response)
    assert fit.ic50 == pytest.approx(0.25, rel=0.05)
    assert fit.emax == pytest.approx(0.9, abs=0.05)
    assert fit.r_squared > 0.99


def test_auc_is_mean_survival_over_log_dose():
    # survival 1 at 0.1 and 0 at 10 (two decades, linear in log dose): mean 0.5
    assert auc_log_dose([0, 0.1, 1, 10], [1, 1, 0.5, 0]) == pytest.approx(0.5)


def test_bliss_and_hsa_by_hand():
    # A alone leaves 0.6, B alone 0.5: Bliss expects 0.3 surviving; observed 0.2 -> excess 0.1
    assert bliss_excess(0.6, 0.5, 0.2) == pytest.approx(0.1)
    assert hsa_excess(0.6, 0.5, 0.2) == pytest.approx(0.3)


def test_loewe_index_is_one_for_a_drug_with_itself():
    doses = np.array([0, 0.01, 0.1, 1, 10, 100])
    fit = fit_4pl(doses, four_pl(doses, 0.0, 1.0, math.log(1.0), 1.0))
    # half the IC50 of "A" plus half the IC50 of "A again" reaches the IC50 effect: CI = 1
    assert loewe_combination_index(0.5, 0.5, 0.5, fit, fit) == pytest.approx(1.0, rel=0.02)
    with pytest.raises(InputError):
        loewe_combination_index(0, 0, 0.5, fit, fit)


def test_qpcr_fold_change_is_ratio_to_reference_sample():
    samples = {"ctrl": ("SKBR3", (), Protocol()), "RANK-OE": ("SKBR3", ("RANK-OE",), Protocol())}
    table = qpcr(samples, ["RANK"], "ctrl", 0.0)
    levels = table.set_index("sample")["relative_to_PP1A"]
    folds = table.set_index("sample")["fold_change"]
    assert folds["ctrl"] == pytest.approx(1.0)
    assert folds["RANK-OE"] == pytest.approx(levels["RANK-OE"] / levels["ctrl"])
    assert folds["RANK-OE"] > 5  # the vector adds many-fold RANK mRNA (seed 000 Fig. 5a)


def test_blot_bands_and_detection_floor():
    lanes = {"ctrl": Protocol().starve("12h"), "lapatinib": Protocol().starve("12h").add("0h", "lapatinib", "1uM")}
    blot = immunoblot("SKBR3", (), lanes, ["p-HER2", "p-p65"], "ctrl", 120.0).set_index(["lane", "observable"])
    assert blot.loc[("ctrl", "p-HER2"), "band"] == pytest.approx(1.0)
    assert blot.loc[("lapatinib", "p-HER2"), "band"] < DETECTION_FLOOR
    assert not blot.loc[("lapatinib", "p-HER2"), "detectable"]
    assert blot.loc[("lapatinib", "p-p65"), "detectable"]


def test_co_ip_follows_the_carboxy_terminal_region():
    assert co_ip_rank("HEK293", ("RANK-V5", "HER2-FLAG"), "HER2")["detected"]
    assert co_ip_rank("HEK293", ("RANK-V5", "611-CTF"), "611-CTF")["detected"]
    ntf = co_ip_rank("HEK293", ("RANK-V5", "742-NTF"), "742-NTF")
    assert ntf["bait_input"] > 0 and ntf["rank_in_ip"] == 0.0


def test_4pl_rejects_bad_input():
    with pytest.raises(InputError):
        fit_4pl([0, 1, -1, 2], [1, 0.5, 0.4, 0.2])
    with pytest.raises(InputError):
        fit_4pl([0, 1], [1, 0.5])
