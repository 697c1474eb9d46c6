"""First-line HER2-positive metastatic breast cancer: chemotherapy with or without trastuzumab
(Slamon DJ et al. 2001 N Engl J Med 344:783; seed 001's clinical summary).

Each virtual patient is treated in both arms (a counterfactual pair): six 3-weekly cycles of
chemotherapy (18 weeks), with or without trastuzumab 4 mg/kg then 2 mg/kg weekly until progression.
Tumour burden is propagated weekly and assessed as in the trial (weeks 8, 20, then every 12 weeks);
progression is a 20 % rise in the sum of diameters over its nadir
(RECIST 1.1: volume x 1.2^3), objective response a 30 % fall (volume x 0.7^3). Follow-up ends at 36
months (censoring). Overall survival needs post-progression therapy and is not modelled.

Chemotherapy kills a patient-specific fraction of dividing cells (``tumour.in_vivo_generators``); its
median and spread are calibrated to the chemotherapy-alone arm (median time to progression 4.6 months,
objective response 32 %); the trastuzumab arm is held out (7.4 months, 50 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import expm

from her2sim.data import reference_value
from her2sim.errors import InputError
from her2sim.trials import pamela, resistance, tumour
from her2sim.trials.cohort import cohort_table, patients

ARMS = ("chemotherapy", "chemotherapy+trastuzumab")
CHEMOTHERAPY_WEEKS = 18
FOLLOW_UP_WEEKS = 156
DAYS_PER_MONTH = 30.4375
PROGRESSION_VOLUME = 1.2**3
RESPONSE_VOLUME = 0.7**3
# tumour assessments at weeks 8 and 20, then every 12 weeks (Slamon 2001 Methods)
ASSESSMENT_WEEKS = frozenset([8, *range(20, FOLLOW_UP_WEEKS + 1, 12)])


def cohort(seed: int, indices) -> pd.DataFrame:
    """Early-disease covariates plus metastatic burden, growth and chemosensitivity (own random stream)."""
    c = cohort_table()
    base = patients(seed, indices)
    extra = []
    for i in indices:
        rng = np.random.default_rng([int(seed), int(i), 1])  # stream 1: metastatic covariates
        b, g = c["metastatic_burden_cells"], c["volume_doubling_days"]
        extra.append({"tumour_cells": float(10 ** rng.normal(b["log10_median"], b["log10_sd"])),
                      "volume_doubling_days": float(g["median"] * np.exp(rng.normal(0.0, g["log_sd"]))),
                      "chemo_z": float(rng.normal())})
    extra = pd.DataFrame(extra, index=base.index)
    return base.drop(columns=["tumour_cells"]).join(extra)


def all_archetypes():
    return pamela.all_archetypes(("trastuzumab",))


def chemotherapy_kill(rows: pd.DataFrame) -> np.ndarray:
    """Fraction of dividing cells killed while on chemotherapy, per patient (lognormal)."""
    c = tumour.constants()["chemotherapy"]
    return c["kill_median"] * np.exp(c["kill_log_sd"] * rows["chemo_z"].to_numpy())


def _arm(rows, untreated, treated, adcc, chemo) -> dict:
    g = rows["volume_doubling_days"].to_numpy()
    counts = tumour.initial_cells(rows["tumour_cells"].to_numpy(), rows["non_amplified_fraction"].to_numpy())
    scale = tumour.patient_drug_kill(rows)
    _, on_chemo = tumour.in_vivo_generators(untreated, treated, adcc, counts, chemotherapy=chemo,
                                            volume_doubling_days=g, kill_scale=scale)
    _, after = tumour.in_vivo_generators(untreated, treated, adcc, counts, volume_doubling_days=g, kill_scale=scale)
    step_chemo, step_after = expm(on_chemo * 7.0), expm(after * 7.0)
    baseline = counts.sum(axis=1)
    nadir = baseline.copy()
    smallest = baseline.copy()
    progression_week = np.full(len(rows), np.nan)
    for week in range(1, FOLLOW_UP_WEEKS + 1):
        step = step_chemo if week <= CHEMOTHERAPY_WEEKS else step_after
        counts = np.einsum("nij,nj->ni", step, counts)
        if week not in ASSESSMENT_WEEKS:
            continue
        burden = counts.sum(axis=1)
        new = np.isnan(progression_week) & (burden >= PROGRESSION_VOLUME * nadir)
        progression_week[new] = week
        alive = np.isnan(progression_week)
        nadir = np.where(alive, np.minimum(nadir, burden), nadir)
        smallest = np.where(alive, np.minimum(smallest, burden), smallest)
    progressed = ~np.isnan(progression_week)
    weeks = np.where(progressed, progression_week, FOLLOW_UP_WEEKS)
    return {"pfs_months": weeks * 7.0 / DAYS_PER_MONTH, "progressed": progressed,
            "response": smallest <= RESPONSE_VOLUME * baseline, "log10_nadir": np.log10(np.maximum(smallest, 1.0))}


def simulate_patients(rows: pd.DataFrame, rates: dict, adcc_scale: float = 1.0) -> pd.DataFrame:
    """Both arms for each patient; ``adcc_scale`` 0 removes trastuzumab's effector arm (what-ifs, S001-MOA-2)."""
    if not (np.isfinite(adcc_scale) and adcc_scale >= 0):
        raise InputError(f"adcc_scale must be a finite number >= 0; got {adcc_scale}")
    untreated, treated = tumour.patient_rates(rows, rates), tumour.patient_rates(rows, rates, "trastuzumab")
    chemo = chemotherapy_kill(rows)
    out = rows[["patient", "age", "hr_positive", "subtype", "pik3ca_mutant", "p95her2", "fcgr3a", "immune_escape",
                "non_amplified_fraction", "tumour_cells", "volume_doubling_days"]].copy()
    out["chemo_kill"] = chemo
    arms = {"chemotherapy": _arm(rows, untreated, untreated, np.zeros(len(rows)), chemo),
            "chemotherapy+trastuzumab": _arm(rows, untreated, treated, adcc_scale * pamela.adcc_per_day(rows), chemo)}
    for arm, result in arms.items():
        for key, values in result.items():
            out[f"{key}[{arm}]"] = values
    return out


def trastuzumab_alone(rows: pd.DataFrame, rates: dict, adcc_scale: float = 1.0) -> dict:
    """Weekly trastuzumab without chemotherapy until progression, assessed as in the trial (Vogel CL et al.
    2002 J Clin Oncol 20:719, first line); ``adcc_scale`` 0 removes the effector arm."""
    untreated, treated = tumour.patient_rates(rows, rates), tumour.patient_rates(rows, rates, "trastuzumab")
    return _arm(rows, untreated, treated, adcc_scale * pamela.adcc_per_day(rows), np.zeros(len(rows)))


def who_resists(table: pd.DataFrame) -> pd.DataFrame:
    """Progression on chemotherapy + trastuzumab by patient feature, with multivariable Cox hazard ratios
    (``resistance.who_progresses``); a trial run writes it to ``resistance.tsv``."""
    return resistance.who_progresses(table, "chemotherapy+trastuzumab")


def kaplan_meier(table: pd.DataFrame) -> dict:
    """lifelines Kaplan-Meier fit per arm: median PFS (months) and the curve."""
    from lifelines import KaplanMeierFitter
    out = {}
    for arm in ARMS:
        km = KaplanMeierFitter().fit(table[f"pfs_months[{arm}]"], table[f"progressed[{arm}]"], label=arm)
        curve = km.survival_function_
        median = float(km.median_survival_time_)
        reached = bool(np.isfinite(median))
        # not reached: fewer than half progressed in follow-up, so the median is at least its end
        out[arm] = {"median_pfs_months": median if reached else FOLLOW_UP_WEEKS * 7.0 / DAYS_PER_MONTH,
                    "median_pfs_reached": reached,
                    "months": [float(t) for t in curve.index], "survival": [float(v) for v in curve.iloc[:, 0]]}
    return out


def added_response(table: pd.DataFrame) -> np.ndarray:
    """Per patient (each is in both arms), objective response with trastuzumab minus without: the treatment
    effect itself, free of the prognostic imbalance a subgroup comparison of one arm carries."""
    return (table["response[chemotherapy+trastuzumab]"].astype(float)
            - table["response[chemotherapy]"].astype(float)).to_numpy()


def summary(table: pd.DataFrame) -> dict:
    km = kaplan_meier(table)
    out = {"patients": int(len(table))}
    added = added_response(table)
    out["added_response"] = float(added.mean())
    for genotype in ("VV", "VF", "FF"):
        out[f"added_response[FCGR3A {genotype}]"] = float(added[(table["fcgr3a"] == genotype).to_numpy()].mean())
    escape = table["immune_escape"].astype(bool).to_numpy()
    out["added_response[immune escape]"] = float(added[escape].mean())
    out["added_response[no immune escape]"] = float(added[~escape].mean())
    for arm in ARMS:
        out[f"median_pfs_months[{arm}]"] = km[arm]["median_pfs_months"]  # a lower bound when not reached
        out[f"median_pfs_reached[{arm}]"] = km[arm]["median_pfs_reached"]
        out[f"objective_response[{arm}]"] = float(table[f"response[{arm}]"].mean())
        out[f"progressed_by_12_months[{arm}]"] = float(
            (table[f"progressed[{arm}]"] & (table[f"pfs_months[{arm}]"] <= 12.0)).mean())
    arm = "chemotherapy+trastuzumab"
    responders = table[table[f"response[{arm}]"]]
    out[f"responders_progressing_within_12_months[{arm}]"] = float(
        (responders[f"progressed[{arm}]"] & (responders[f"pfs_months[{arm}]"] <= 12.0)).mean()) \
        if len(responders) else None
    out["median_pfs_gain_months"] = out["median_pfs_months[chemotherapy+trastuzumab]"] - \
        out["median_pfs_months[chemotherapy]"]
    return out


def calibrate_chemotherapy(rows: pd.DataFrame, rates: dict, medians, log_sds) -> pd.DataFrame:
    """Chemotherapy-alone arm over a grid of (kill median, log-SD), with the distance to Slamon 2001's
    chemotherapy arm: |fraction progressed by its median time to progression - 0.5| + |response rate -
    its 32 %|. The progressed fraction is used, not the Kaplan-Meier median, because assessments at weeks
    8, 20, 32... let the median take only those values (4.6 months is the week-20 assessment)."""
    from lifelines import KaplanMeierFitter
    target_pfs = reference_value("median_pfs_months", "slamon_chemotherapy")
    target_response = reference_value("objective_response", "slamon_chemotherapy")
    untreated = tumour.patient_rates(rows, rates)
    results = []
    for median in medians:
        for sd in log_sds:
            chemo = median * np.exp(sd * rows["chemo_z"].to_numpy())
            arm = _arm(rows, untreated, untreated, np.zeros(len(rows)), chemo)
            pfs = float(KaplanMeierFitter().fit(arm["pfs_months"], arm["progressed"]).median_survival_time_)
            progressed = float((arm["progressed"] & (arm["pfs_months"] <= target_pfs + 1e-9)).mean())
            response = float(arm["response"].mean())
            results.append({"kill_median": median, "kill_log_sd": sd, "median_pfs_months": pfs,
                            "progressed_by_median": progressed, "objective_response": response,
                            "distance": abs(progressed - 0.5) + abs(response - target_response)})
    return pd.DataFrame(results).sort_values("distance")
