"""PAMELA with RANKL or NF-kB blockade added (the seeds' open question, seed 000 Discussion).

The same virtual patients receive PAMELA, PAMELA + denosumab 120 mg q4w, and PAMELA + an IKK
inhibitor (what-if exposure, ``tumour.toml``). Each arm's effect is the paired difference in pCR and
in residual tumour, with a 95 % confidence interval over patients (normal approximation on the paired
differences); the interval covers between-patient variation, not model-parameter uncertainty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from her2sim.trials import pamela

CONTROL = "pamela"
ADD_ONS = ("pamela+denosumab", "pamela+IKK-inhibitor")
ARMS = (CONTROL, *ADD_ONS)

cohort = pamela.cohort


def all_archetypes():
    return pamela.all_archetypes(ARMS)


def simulate_patients(rows: pd.DataFrame, rates: dict) -> pd.DataFrame:
    """One row per patient: covariates and each arm's pCR and log10 residual cells."""
    base = pamela.simulate_patients(rows, rates, therapy=CONTROL)
    out = base[["patient", "hr_positive", "subtype", "rank_promoter", "fcgr3a", "immune_escape"]].copy()
    for arm in ARMS:
        table = base if arm == CONTROL else pamela.simulate_patients(rows, rates, therapy=arm)
        out[f"pcr[{arm}]"] = table["pcr"].to_numpy()
        out[f"log10_residual[{arm}]"] = table["log10_residual"].to_numpy()
    return out


def paired_difference(x: np.ndarray, y: np.ndarray) -> dict:
    """Mean of x - y with its 95 % confidence interval (paired, normal approximation)."""
    d = np.asarray(x, dtype=float) - np.asarray(y, dtype=float)
    mean = float(d.mean())
    half = float(1.96 * d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("inf")
    return {"difference": mean, "ci95": [mean - half, mean + half]}


def summary(table: pd.DataFrame) -> dict:
    out = {"patients": int(len(table)), "arms": list(ARMS)}
    for arm in ARMS:
        out[f"pcr_rate[{arm}]"] = float(table[f"pcr[{arm}]"].mean())
    for arm in ADD_ONS:
        out[f"pcr_difference[{arm}]"] = paired_difference(table[f"pcr[{arm}]"], table[f"pcr[{CONTROL}]"])
        out[f"log10_residual_difference[{arm}]"] = paired_difference(table[f"log10_residual[{arm}]"],
                                                                     table[f"log10_residual[{CONTROL}]"])
        for label, mask in (("hr_pos", table["hr_positive"]), ("hr_neg", ~table["hr_positive"]),
                            ("rank_high", table["rank_promoter"] >= 2.0)):
            sub = table[mask]
            out[f"pcr_difference_{label}[{arm}]"] = paired_difference(sub[f"pcr[{arm}]"], sub[f"pcr[{CONTROL}]"])
    return out
