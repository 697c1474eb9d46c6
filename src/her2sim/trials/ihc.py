"""IHC cohorts of seed 000: RANK and RANKL protein in tumour cells of treatment-naive HER2+ tumours and
of residual disease after trastuzumab-based neoadjuvant therapy (chemotherapy + trastuzumab, 18 weeks).

Readout: an H-score (0-300) per tumour, the sum over intensity classes 1+, 2+, 3+ of the percentage of
tumour cells in the class times the class; H >= 1 counts as positive (seed 000 Methods). Each cell state's
RANK protein is proportional to its RANK mRNA in the signalling model; tumour-cell RANKL to the luminal
(ER-driven) part of tumour RANKL. Cells vary lognormally around their state's level (``cohort.toml``).
The detection thresholds are calibrated to the naive cohort's positivity (RANK 20.9 %, RANKL 2.8 %);
the residual-disease positivities and the clinicopathological associations are held out.

Ki67 is the untreated tumour's relative proliferation from the signalling model (bulk division rate
before the in vivo pace is applied), split at the cohort median.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from her2sim.data import reference_value
from her2sim.errors import InputError
from her2sim.trials import metastatic, pamela, tumour
from her2sim.trials.cohort import cohort_table, patients

RATES = "metastatic"  # same archetypes: untreated and trastuzumab
WEEKS = 18
# Mittendorf EA et al. 2009 Clin Cancer Res 15:7381 (HER2 amplification lost in 8 of 25 residual tumours):
# MD Anderson's taxane-anthracycline regimen with concomitant weekly trastuzumab, paclitaxel x 12 weekly then
# FEC x 4 q3w, 24 weeks (Buzdar AU et al. 2005 J Clin Oncol 23:3676)
MITTENDORF_WEEKS = 24


def cohort(seed: int, indices) -> pd.DataFrame:
    base = patients(seed, indices)
    base["chemo_z"] = [float(np.random.default_rng([int(seed), int(i), 2]).normal()) for i in indices]
    return base


def all_archetypes():
    return metastatic.all_archetypes()


def _fraction_above(levels: np.ndarray, counts: np.ndarray, threshold: float) -> np.ndarray:
    """Fraction of cells above ``threshold``: per state lognormal around its level, weighted by counts."""
    sd = cohort_table()["ihc"]["cell_log_sd"]
    above = stats.norm.sf((np.log(threshold) - np.log(np.maximum(levels, 1e-300))) / sd)
    return tumour.cell_weighted_mean(above, counts)


def h_score(levels: np.ndarray, counts: np.ndarray, threshold: float) -> np.ndarray:
    """Sum over 1+, 2+, 3+ of class x percentage of cells (= 100 x sum of fractions above each step)."""
    steps = cohort_table()["ihc"]["intensity_steps"]
    return 100.0 * sum(_fraction_above(levels, counts, threshold * s) for s in steps)


def simulate_patients(rows: pd.DataFrame, rates: dict, weeks: float = WEEKS) -> pd.DataFrame:
    """Each patient's naive and residual-disease readouts after ``weeks`` of chemotherapy + trastuzumab."""
    if not weeks > 0:
        raise InputError(f"treatment must last > 0 weeks; got {weeks}")
    c = cohort_table()["ihc"]
    untreated, treated = tumour.patient_rates(rows, rates), tumour.patient_rates(rows, rates, "trastuzumab")
    n0 = tumour.initial_cells(rows["tumour_cells"].to_numpy(), rows["non_amplified_fraction"].to_numpy())
    _, during = tumour.in_vivo_generators(untreated, treated, pamela.adcc_per_day(rows), n0,
                                          chemotherapy=metastatic.chemotherapy_kill(rows),
                                          kill_scale=tumour.patient_drug_kill(rows))
    n_surgery = tumour.propagate(n0, during, weeks * 7)
    residual = n_surgery.sum(axis=1)
    pcr = residual < tumour.value("pcr_residual_cells")
    rank = tumour.FIELDS.index("rank_mrna")
    luminal = tumour.value("rankl_luminal_weight") * untreated[:, :, tumour.FIELDS.index("er_activity")]
    luminal_s = tumour.value("rankl_luminal_weight") * treated[:, :, tumour.FIELDS.index("er_activity")]
    out = rows[["patient", "age", "hr_positive", "subtype"]].copy()
    out["ki67_index"] = (untreated[:, :, 0] * n0).sum(axis=1) / n0.sum(axis=1)
    out["pcr"] = pcr
    out["non_amplified_fraction"] = rows["non_amplified_fraction"].to_numpy()
    share = n_surgery[:, tumour.NONAMP] / np.maximum(residual, 1e-300)
    out["non_amplified_share_residual"] = np.where(pcr, np.nan, share)
    # HER2 loss: the residual tumour is mostly HER2-non-amplified cells (no pCR, nothing to test after one)
    out["her2_loss_residual"] = ~pcr & (share > 0.5)
    out["rank_h_naive"] = h_score(untreated[:, :, rank], n0, c["rank_threshold_units"])
    out["rankl_h_naive"] = h_score(luminal, n0, c["rankl_threshold_units"])
    out["rank_h_residual"] = np.where(pcr, np.nan, h_score(treated[:, :, rank], n_surgery, c["rank_threshold_units"]))
    out["rankl_h_residual"] = np.where(pcr, np.nan, h_score(luminal_s, n_surgery, c["rankl_threshold_units"]))
    return out


def calibrate_thresholds(rows: pd.DataFrame, rates: dict) -> dict[str, float]:
    """RANK and RANKL detection thresholds (model units) at which the naive cohort's positivity (H >= 1) is
    seed 000's (RANK 14/67, RANKL 2/72): bisection on the log threshold, positivity falling as it rises."""
    untreated = tumour.patient_rates(rows, rates)
    n0 = tumour.initial_cells(rows["tumour_cells"].to_numpy(), rows["non_amplified_fraction"].to_numpy())
    levels = {"rank": untreated[:, :, tumour.FIELDS.index("rank_mrna")],
              "rankl": tumour.value("rankl_luminal_weight") * untreated[:, :, tumour.FIELDS.index("er_activity")]}
    out = {}
    for marker, level in levels.items():
        target = reference_value(f"{marker}_ihc_positive", "naive")
        low, high = np.log(1e-3), np.log(1e4)
        for _ in range(60):
            mid = (low + high) / 2
            low, high = (mid, high) if positivity(pd.Series(h_score(level, n0, np.exp(mid)))) > target else (low, mid)
        out[f"{marker}_threshold_units"] = float(np.exp((low + high) / 2))
    return out


def positivity(h: pd.Series) -> float:
    h = h.dropna()
    return float((h >= 1.0).mean()) if len(h) else float("nan")


def summary(table: pd.DataFrame) -> dict:
    residual = table[~table["pcr"]]
    naive_pos = table["rank_h_naive"] >= 1.0
    young = table["age"] < 50
    ki67_high = table["ki67_index"] >= table["ki67_index"].median()
    out = {
        "patients": int(len(table)), "residual_tumours": int(len(residual)),
        "rank_positive_naive": positivity(table["rank_h_naive"]),
        "rank_positive_residual": positivity(residual["rank_h_residual"]),
        "rankl_positive_naive": positivity(table["rankl_h_naive"]),
        "rankl_positive_residual": positivity(residual["rankl_h_residual"]),
        "her2_loss_in_residual": float(residual["her2_loss_residual"].mean()) if len(residual) else None,
    }
    for label, mask in (("age_lt_50", young), ("age_ge_50", ~young), ("ki67_high", ki67_high),
                        ("ki67_low", ~ki67_high), ("hr_neg", ~table["hr_positive"]), ("hr_pos", table["hr_positive"])):
        out[f"rank_positive_naive_{label}"] = float(naive_pos[mask].mean()) if mask.any() else None
    return out
