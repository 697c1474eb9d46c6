"""PAMELA (SOLTI-1114; seed 000): neoadjuvant lapatinib 1000 mg daily + trastuzumab 8 then 6 mg/kg q3w for
18 weeks, plus letrozole (postmenopausal) or tamoxifen (premenopausal) when HR-positive; biopsies at
baseline and day 14, surgery 1-3 weeks after the last dose (Llombart-Cussac A et al. 2017 Lancet Oncol
18:545): two weeks here, with lapatinib (half-life ~24 h) and endocrine therapy gone and trastuzumab
(half-life ~4 weeks) still saturating HER2. nCounter-like log2 RANK / RANKL / ERBB2 readouts; the surgical
sample is read with the washout's signalling."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from her2sim.data import reference_counts
from her2sim.drugs.pk import pk_model
from her2sim.drugs.regimen import parse_regimen
from her2sim.errors import InputError
from her2sim.model import load_parameters
from her2sim.trials import resistance, tumour
from her2sim.trials.cohort import cohort_table, patients

WEEKS = 18
BIOPSY_DAY = 14
WASHOUT_DAYS = 14  # surgery 1-3 weeks after the last dose (Llombart-Cussac 2017)
WASHOUT_THERAPY = "trastuzumab"  # what is still on board at surgery (site level ~40-60 nM vs Kd 0.1 nM)


def lapatinib_site_nM(rows: pd.DataFrame) -> np.ndarray:
    """Mean steady-state tumour-site lapatinib: linear PK, so Cavg = F dose / (CL_i tau) exactly."""
    m = pk_model("lapatinib")
    reg = parse_regimen(tumour.LAPATINIB)
    cl = m.cl * (rows["weight_kg"].to_numpy() / m.weight_ref) ** m.cl_weight_exponent * np.exp(
        rows["eta_cl_lapatinib"].to_numpy())
    cavg = m.bioavailability * reg.maintenance_mg / reg.interval_days / cl
    return cavg / m.mw * 1e6 * m.site_factor


def archetypes(rows: pd.DataFrame, therapy: str = "pamela") -> tuple[list[tumour.Archetype], ...]:
    """Each patient's archetype before, during and after treatment (the washout before surgery)."""
    site = lapatinib_site_nM(rows)
    records = rows.to_dict("records")
    before = [tumour.archetype_of(r) for r in records]
    during = [tumour.archetype_of(r, therapy, lapatinib_site_nM=s) for r, s in zip(records, site, strict=True)]
    after = [tumour.archetype_of(r, WASHOUT_THERAPY) for r in records]
    return before, during, after


def adcc_per_day(rows: pd.DataFrame) -> np.ndarray:
    c = tumour.constants()
    cohort = cohort_table()
    genotype = rows["fcgr3a"].map({g: cohort["fcgr3a"][f"adcc_{g}"] for g in ("VV", "VF", "FF")}).to_numpy()
    escape = np.where(rows["immune_escape"].to_numpy(), cohort["immune_escape"]["adcc_remaining"], 1.0)
    site = tumour.typical_site_nM("trastuzumab", tumour.TRASTUZUMAB)
    occupancy = site / (site + load_parameters()["Kd_trastuzumab_HER2"].value)
    return float(c["adcc_max_per_day"]["value"]) * genotype * escape * occupancy


def _bulk(counts: np.ndarray, rates: np.ndarray, field: str) -> np.ndarray:
    return tumour.cell_weighted_mean(rates[:, :, tumour.FIELDS.index(field)], counts)


def simulate_patients(rows: pd.DataFrame, rates: dict, adcc_scale: float = 1.0,
                      therapy: str = "pamela", kill: tuple[float, float] | None = None,
                      weeks: float = WEEKS, potential_doubling_days: np.ndarray | None = None) -> pd.DataFrame:
    """Outcomes of the given patients, ``rates`` mapping archetype key -> (state, field) array;
    ``adcc_scale`` 0 removes the effector arm, ``therapy`` adds an arm's drug (what-ifs), ``kill``
    (median, log-SD) replaces the calibrated in vivo drug-kill distribution (for its calibration),
    ``weeks`` the treatment length, ``potential_doubling_days`` each tumour's own (what-ifs; default the
    tumour constant)."""
    if weeks * 7 < BIOPSY_DAY:
        raise InputError(f"treatment must last at least the {BIOPSY_DAY} days to the on-treatment biopsy; "
                         f"got {weeks} weeks")
    before, during, after = archetypes(rows, therapy)
    untreated = np.stack([rates[a.key()] for a in before])
    treated = np.stack([rates[a.key()] for a in during])
    washout = np.stack([rates[a.key()] for a in after])
    n0 = tumour.initial_cells(rows["tumour_cells"].to_numpy(), rows["non_amplified_fraction"].to_numpy())
    adcc = adcc_scale * adcc_per_day(rows)
    scale = tumour.patient_drug_kill(rows, *(kill or (None, None)))
    _, a1 = tumour.in_vivo_generators(untreated, treated, adcc, n0, kill_scale=scale,
                                      potential_doubling_days=potential_doubling_days)
    _, a2 = tumour.in_vivo_generators(untreated, washout, adcc, n0, kill_scale=scale,
                                      potential_doubling_days=potential_doubling_days)
    n14 = tumour.propagate(n0, a1, BIOPSY_DAY)
    n_last_dose = tumour.propagate(n14, a1, weeks * 7 - BIOPSY_DAY)
    n_surgery = tumour.propagate(n_last_dose, a2, WASHOUT_DAYS)
    residual = n_surgery.sum(axis=1)
    pcr = residual < tumour.value("pcr_residual_cells")
    c = tumour.constants()
    readout = c["ncounter_offsets"]
    rank0 = np.log2(_bulk(n0, untreated, "rank_mrna")) + readout["rank_log2_offset"] + rows["noise_rank_baseline"]
    rank_s = np.log2(_bulk(n_surgery, washout, "rank_mrna")) + readout["rank_log2_offset"] + rows["noise_rank_surgery"]

    def rankl(counts, r, noise):
        luminal = c["rankl_luminal_weight"]["value"] * _bulk(counts, r, "er_activity")
        return rows["rankl_stroma_log2"] + np.log2(1 + luminal) + readout["rankl_log2_offset"] + noise

    erbb2 = np.log2(_bulk(n0, untreated, "her2_total"))
    nonamp_s = n_surgery[:, tumour.NONAMP] / np.maximum(residual, 1e-300)
    out = rows[["patient", "age", "hr_positive", "subtype", "premenopausal", "pik3ca_mutant", "p95her2",
                "fcgr3a", "immune_escape", "non_amplified_fraction", "tumour_cells", "rank_promoter"]].copy()
    out["lapatinib_site_nM"] = lapatinib_site_nM(rows)
    out["lapatinib_class"] = [a.lapatinib_class for a in during]
    out["residual_cells"] = residual
    out["log10_residual"] = np.log10(np.maximum(residual, 1.0))
    out["pcr"] = pcr
    out["tolerant_fraction_surgery"] = (n_surgery[:, tumour.TOL] + n_surgery[:, tumour.BOTH]) / np.maximum(
        residual, 1e-300)
    out["her2_loss_surgery"] = np.where(pcr, False, nonamp_s > 0.5)
    out["rank_log2_baseline"] = rank0
    out["rank_log2_surgery"] = np.where(pcr, np.nan, rank_s)  # no tumour left to sample after a pCR
    out["rankl_log2_baseline"] = rankl(n0, untreated, rows["noise_rankl_baseline"])
    out["rankl_log2_surgery"] = np.where(pcr, np.nan, rankl(n_surgery, washout, rows["noise_rankl_surgery"]))
    out["erbb2_log2_baseline"] = erbb2
    return out


def summary(table: pd.DataFrame) -> dict:
    """The trial's endpoints (JSON-ready)."""
    residual = table[~table["pcr"]]
    paired = residual.dropna(subset=["rank_log2_surgery"])
    p_rank = float(stats.ttest_rel(paired["rank_log2_surgery"], paired["rank_log2_baseline"]).pvalue) \
        if len(paired) > 2 else None
    p_rankl = float(stats.ttest_rel(paired["rankl_log2_surgery"], paired["rankl_log2_baseline"]).pvalue) \
        if len(paired) > 2 else None

    def rate(mask):
        return float(table.loc[mask, "pcr"].mean()) if mask.any() else None

    hr = table["hr_positive"]
    out = {
        "patients": int(len(table)),
        "pcr_rate": float(table["pcr"].mean()),
        "pcr_rate_hr_pos": rate(hr), "pcr_rate_hr_neg": rate(~hr),
        "pcr_rate_her2_enriched": rate(table["subtype"] == "HER2-enriched"),
        "pcr_rate_non_her2_enriched": rate(table["subtype"] != "HER2-enriched"),
        "rank_log2_baseline_mean": float(table["rank_log2_baseline"].mean()),
        "rank_log2_baseline_sd": float(table["rank_log2_baseline"].std()),
        "rank_log2_surgery_mean": float(paired["rank_log2_surgery"].mean()) if len(paired) else None,
        "rank_log2_surgery_sd": float(paired["rank_log2_surgery"].std()) if len(paired) > 1 else None,
        "rank_paired_change": float((paired["rank_log2_surgery"] - paired["rank_log2_baseline"]).mean())
        if len(paired) else None,
        "rank_paired_p": p_rank,
        "rankl_log2_baseline_mean": float(table["rankl_log2_baseline"].mean()),
        "rankl_log2_surgery_mean": float(paired["rankl_log2_surgery"].mean()) if len(paired) else None,
        "rankl_paired_change": float((paired["rankl_log2_surgery"] - paired["rankl_log2_baseline"]).mean())
        if len(paired) else None,
        "rankl_paired_p": p_rankl,
        "her2_loss_in_residual": float(residual["her2_loss_surgery"].mean()) if len(residual) else None,
    }
    for label, mask in (("hr_pos", paired["hr_positive"]), ("hr_neg", ~paired["hr_positive"])):
        sub = paired[mask]
        out[f"rank_paired_change_{label}"] = float((sub["rank_log2_surgery"] - sub["rank_log2_baseline"]).mean()) \
            if len(sub) else None
    return out


def who_resists(table: pd.DataFrame) -> pd.DataFrame:
    """Residual disease by patient feature, with multivariable odds ratios (``resistance.who_resists``); a trial
    run writes it to ``resistance.tsv``."""
    return resistance.who_resists(table)


def all_archetypes(therapies=("pamela",)) -> list[tumour.Archetype]:
    """Every archetype a PAMELA patient can have (covariate classes x exposure classes x therapies, and the
    washout before surgery)."""
    therapies = tuple(dict.fromkeys((*therapies, WASHOUT_THERAPY)))
    c = cohort_table()
    out = []
    for hr in (False, True):
        for pre in ((False, True) if hr else (False,)):
            for pik in (False, True):
                for p95 in (False, True):
                    for her2 in c["her2_level"]["levels"]:
                        for rank in c["rank_promoter"]["levels"]:
                            base = (hr, pre, pik, p95, float(her2), float(rank))
                            out.append(tumour.Archetype(*base, -1, "none"))
                            for t in therapies:
                                classes = (0, 1, 2) if "lapatinib" in tumour.THERAPIES[t] else (-1,)
                                out += [tumour.Archetype(*base, lap, t) for lap in classes]
    return out


def cohort(seed: int, indices) -> pd.DataFrame:
    return patients(seed, indices)


# TBCRC023 (Rimawi MF et al. 2020 Clin Cancer Res 26:821): lapatinib + trastuzumab (+ endocrine therapy
# when ER+) without chemotherapy, median tumour 5 cm; in-breast pCR 12 % after 12 weeks, 28 % after 24.
TBCRC023_DIAMETER_CM = 5.0
PROFILE_CUT_95 = float(stats.chi2.ppf(0.95, 1)) / 2  # 1.92 log-likelihood units
TBCRC023_COUNTS = {weeks: reference_counts("pcr_rate", f"tbcrc023_{weeks}wk") for weeks in (12, 24)}


def tbcrc023_cohort(rows: pd.DataFrame) -> pd.DataFrame:
    """The cohort's tumours scaled to TBCRC023's median size (PAMELA's median is 2.7 cm)."""
    scaled = rows.copy()
    median_cm = float(np.exp(cohort_table()["tumour_diameter_cm"]["log_mean"]))
    scaled["tumour_cells"] = rows["tumour_cells"] * (TBCRC023_DIAMETER_CM / median_cm) ** 3
    return scaled


def calibrate_drug_kill(rows: pd.DataFrame, rates: dict, log_sds=(0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0),
                        potential_doubling_days: np.ndarray | None = None, keep_log_sd: float | None = None) -> dict:
    """The in vivo drug-kill distribution (lognormal median and log-SD between patients) that maximises the
    binomial likelihood of TBCRC023's pCR counts after 12 and 24 weeks (4/33 and 18/64).

    Profile likelihood: for each log-SD of ``log_sds`` the best median (bounded Brent on its log), then the
    log-SD refined between the best grid point's neighbours. Where some (median, log-SD) meets both rates this
    is that point; where none does, it is the compromise the two arms' sizes weigh, not an exact match of one.
    ``log_sd_interval``: the grid spreads whose profile log-likelihood is within 1.92 of the best (95 %,
    chi-square 1 df). ``keep_log_sd``: a spread to keep when it lies in that interval (the data do not move
    it), fitting only the median. ``potential_doubling_days``: each tumour's own, as in ``simulate_patients``."""
    cohort = tbcrc023_cohort(rows)
    floor = 0.5 / len(cohort)  # a simulated rate of 0 or 1 is known only to within one patient

    def pcr(kill, weeks):
        return float(simulate_patients(cohort, rates, kill=kill, weeks=weeks,
                                       potential_doubling_days=potential_doubling_days)["pcr"].mean())

    def log_likelihood(kill):
        rates_at = {weeks: pcr(kill, weeks) for weeks in TBCRC023_COUNTS}
        p = {weeks: min(max(r, floor), 1 - floor) for weeks, r in rates_at.items()}
        return sum(stats.binom.logpmf(k, n, p[weeks]) for weeks, (k, n) in TBCRC023_COUNTS.items()), rates_at

    profile: dict[float, dict] = {}  # log-SD -> its best median, so no spread is optimised twice

    def best_median(sd):
        sd = float(sd)
        if sd in profile:
            return profile[sd]
        fit = optimize.minimize_scalar(lambda log_m: -log_likelihood((np.exp(log_m), sd))[0],
                                       bounds=(np.log(0.02), np.log(20.0)), method="bounded",
                                       options={"xatol": 1e-3})
        median = float(np.exp(fit.x))
        value, rates_at = log_likelihood((median, sd))
        profile[sd] = {"log_sd": sd, "median": median, "log_likelihood": float(value),
                       "pcr_12_weeks": rates_at[12], "pcr_24_weeks": rates_at[24]}
        return profile[sd]

    grid = [best_median(sd) for sd in log_sds]
    i = int(np.argmax([g["log_likelihood"] for g in grid]))
    low, high = log_sds[max(i - 1, 0)], log_sds[min(i + 1, len(log_sds) - 1)]
    best = grid[i]
    if high > low:
        refined = optimize.minimize_scalar(lambda sd: -best_median(sd)["log_likelihood"], bounds=(low, high),
                                           method="bounded", options={"xatol": 0.01})
        candidate = best_median(refined.x)
        best = candidate if candidate["log_likelihood"] >= best["log_likelihood"] else best
    inside = [g["log_sd"] for g in grid if g["log_likelihood"] >= best["log_likelihood"] - PROFILE_CUT_95]
    interval = [min(inside), max(inside)]
    kept = keep_log_sd is not None and interval[0] <= keep_log_sd <= interval[1]
    chosen = best_median(keep_log_sd) if kept else best
    return {**chosen, "log_sd_kept": kept, "maximum_likelihood": best, "log_sd_interval": interval, "grid": grid}
