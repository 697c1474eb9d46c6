"""Which patients resist: the trial outcome by patient covariate.

Neoadjuvant trials (PAMELA), residual disease (no pCR). For each covariate of the cohort (``cohort.toml``),
written as "has the feature or not":
- the residual-disease rate with and without it, and the difference with its 95 % confidence interval
  (Newcombe's hybrid score interval, statsmodels);
- the odds ratio of residual disease from one multivariable logistic regression over all features
  (statsmodels ``Logit``), so a feature's own share is separated from the features it travels with
  (PIK3CA mutation is more common in HR+ tumours in real cohorts; here the cohort draws them independently,
  but HR status and subtype, or HER2 level and subtype, are linked).

Metastatic trials, progression (``who_progresses``): the Kaplan-Meier median progression-free survival with
and without each feature, and the hazard ratio of progression from one multivariable Cox proportional-hazards
model (lifelines ``CoxPHFitter``), for the same reason.

A feature that every patient has, or none, cannot be compared and is listed with the reason.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from her2sim.errors import InputError
from her2sim.trials.cohort import cohort_table


@dataclass(frozen=True)
class Feature:
    name: str
    meaning: str
    present: Callable[[pd.DataFrame], pd.Series]
    columns: tuple[str, ...]


def _diameter_cm(table: pd.DataFrame) -> pd.Series:
    return (6.0 * table["tumour_cells"] / (np.pi * cohort_table()["cells_per_cm3"]["value"])) ** (1.0 / 3.0)


def _median_diameter_cm() -> float:
    return float(np.exp(cohort_table()["tumour_diameter_cm"]["log_mean"]))


def _flag(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda t: t[column].astype(bool)


# covariates every HER2+ cohort carries (cohort.py draws them for the neoadjuvant and the metastatic trials)
TUMOUR_FEATURES = (
    Feature("HR-positive", "oestrogen/progesterone receptor positive (endocrine therapy added in PAMELA)",
            _flag("hr_positive"), ("hr_positive",)),
    Feature("not HER2-enriched", "PAM50 subtype other than HER2-enriched", lambda t: t["subtype"] != "HER2-enriched",
            ("subtype",)),
    Feature("PIK3CA mutant", "activating PIK3CA mutation", _flag("pik3ca_mutant"), ("pik3ca_mutant",)),
    Feature("p95HER2", "p95HER2-high (truncated HER2 without the trastuzumab epitope)", _flag("p95her2"),
            ("p95her2",)),
    Feature("HER2-heterogeneous", "at least 5 % HER2-non-amplified tumour cells",
            lambda t: t["non_amplified_fraction"] >= 0.05, ("non_amplified_fraction",)),
    Feature("FCGR3A FF", "FCGR3A-158 F/F genotype (weakest trastuzumab ADCC)", lambda t: t["fcgr3a"] == "FF",
            ("fcgr3a",)),
    Feature("immune escape", "effector killing blunted in the tumour (CHI3L1/PD-L1-type escape)",
            _flag("immune_escape"), ("immune_escape",)),
    Feature("age < 50", "younger than 50 years", lambda t: t["age"] < 50, ("age",)),
)

FEATURES = (  # neoadjuvant lapatinib + trastuzumab (PAMELA)
    *TUMOUR_FEATURES[:7],
    Feature("RANK-high", "RANK promoter class at least 2 x the cohort's reference",
            lambda t: t["rank_promoter"] >= 2.0, ("rank_promoter",)),
    Feature("low lapatinib exposure", "lowest tumour-exposure class (below 0.6 x the typical patient's)",
            lambda t: t["lapatinib_class"] == 0, ("lapatinib_class",)),
    TUMOUR_FEATURES[7],
    Feature("tumour above median size", f"diameter above the cohort median ({_median_diameter_cm():.1f} cm)",
            lambda t: _diameter_cm(t) > _median_diameter_cm(), ("tumour_cells",)),
)


def _metastatic_features() -> tuple[Feature, ...]:
    from her2sim.trials import tumour

    c = cohort_table()
    burden, doubling = 10.0 ** c["metastatic_burden_cells"]["log10_median"], c["volume_doubling_days"]["median"]
    kill = tumour.constants()["chemotherapy"]["kill_median"]
    return (*TUMOUR_FEATURES,
            Feature("burden above median", f"metastatic burden above the cohort median ({burden:.0e} cells)",
                    lambda t: t["tumour_cells"] > burden, ("tumour_cells",)),
            Feature("fast-growing", f"untreated volume doubling faster than the cohort median ({doubling:g} days)",
                    lambda t: t["volume_doubling_days"] < doubling, ("volume_doubling_days",)),
            Feature("chemotherapy-insensitive", "chemotherapy kills fewer dividing cells than in the median patient",
                    lambda t: t["chemo_kill"] < kill, ("chemo_kill",)))


COLUMNS = ("feature", "meaning", "patients_with", "patients_without", "residual_with", "residual_without",
           "difference", "difference_low", "difference_high", "odds_ratio", "odds_ratio_low", "odds_ratio_high",
           "p_value", "note")
PROGRESSION_COLUMNS = ("feature", "meaning", "patients_with", "patients_without", "median_pfs_with",
                       "median_pfs_without", "progression_free_12_months_with", "progression_free_12_months_without",
                       "hazard_ratio", "hazard_ratio_low", "hazard_ratio_high", "p_value",
                       "note")


def indicators(table: pd.DataFrame, features=FEATURES, outcome=("pcr",), trial: str = "pamela") -> pd.DataFrame:
    """One 0/1 column per feature, for the patients of ``table``."""
    missing = {*outcome, *(c for f in features for c in f.columns)} - set(table.columns)
    if missing:
        raise InputError(f"a per-patient {trial} table needs columns {sorted(missing)}; "
                         f"run it from `her2sim trial {trial}`")
    return pd.DataFrame({f.name: f.present(table).astype(int).to_numpy() for f in features}, index=table.index)


def _comparable(x: pd.DataFrame) -> tuple[list[str], dict]:
    """Features that vary in this cohort, and for the others why they cannot be compared."""
    varying = [name for name in x.columns if 0 < x[name].sum() < len(x)]
    notes = {name: "every patient has it" if x[name].all() else "no patient has it"
             for name in x.columns if name not in varying}
    return varying, notes


def _logistic(residual: np.ndarray, x: pd.DataFrame) -> tuple[dict, str]:
    """Odds ratios (with 95 % CI and p) of residual disease per column of ``x``, from one regression."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    if residual.min() == residual.max():
        return {}, "every patient had the same outcome"
    design = sm.add_constant(x.astype(float), has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            fit = sm.Logit(residual.astype(float), design).fit(disp=0, maxiter=100)
        except (PerfectSeparationWarning, np.linalg.LinAlgError) as error:
            return {}, f"multivariable regression not estimable in this cohort ({type(error).__name__})"
    ci = fit.conf_int()
    return {name: (float(np.exp(fit.params[name])), float(np.exp(ci.loc[name, 0])), float(np.exp(ci.loc[name, 1])),
                   float(fit.pvalues[name])) for name in x.columns}, ""


def who_resists(table: pd.DataFrame) -> pd.DataFrame:
    """Residual disease by feature: rates, difference (95 % CI) and multivariable odds ratio (95 % CI)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    x = indicators(table)
    residual = (~table["pcr"].astype(bool)).astype(int).to_numpy()
    varying, cannot = _comparable(x)
    odds, why_not = _logistic(residual, x[varying]) if varying else ({}, "no feature varies in this cohort")
    rows = []
    for f in FEATURES:
        has = x[f.name].to_numpy().astype(bool)
        n_with, n_without = int(has.sum()), int((~has).sum())
        row = dict.fromkeys(COLUMNS, None) | {"feature": f.name, "meaning": f.meaning, "patients_with": n_with,
                                             "patients_without": n_without, "note": ""}
        if f.name in cannot:
            rows.append(row | {"note": cannot[f.name]})
            continue
        k_with, k_without = int(residual[has].sum()), int(residual[~has].sum())
        low, high = confint_proportions_2indep(k_with, n_with, k_without, n_without, method="newcomb",
                                               compare="diff")
        row.update(residual_with=k_with / n_with, residual_without=k_without / n_without,
                   difference=k_with / n_with - k_without / n_without, difference_low=float(low),
                   difference_high=float(high))
        if f.name in odds:
            row["odds_ratio"], row["odds_ratio_low"], row["odds_ratio_high"], row["p_value"] = odds[f.name]
        else:
            row["note"] = why_not
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _cox(frame: pd.DataFrame, duration: str, event: str) -> tuple[dict, str]:
    """Hazard ratios (with 95 % CI and p) of progression per covariate column of ``frame``, from one model."""
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError

    if not frame[event].any():
        return {}, "no patient progressed"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a diverging fit is caught below by its coefficients
            fit = CoxPHFitter().fit(frame, duration_col=duration, event_col=event)
    except ConvergenceError as error:
        return {}, f"multivariable Cox model not estimable in this cohort ({type(error).__name__})"
    summary = fit.summary
    if not np.all(np.isfinite(summary["coef"])) or summary["coef"].abs().max() > 20.0:
        return {}, "multivariable Cox model not estimable in this cohort (separation)"
    return {name: (float(r["exp(coef)"]), float(r["exp(coef) lower 95%"]), float(r["exp(coef) upper 95%"]),
                   float(r["p"])) for name, r in summary.iterrows()}, ""


def _kaplan_meier(durations: pd.Series, events: pd.Series) -> tuple[float, float]:
    """Kaplan-Meier (lifelines) median in months (NaN when fewer than half progress within follow-up) and the
    fraction progression-free at 12 months."""
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit(durations, events)
    median = float(km.median_survival_time_)
    return (median if np.isfinite(median) else float("nan")), float(km.survival_function_at_times(12.0).iloc[0])


def who_progresses(table: pd.DataFrame, arm: str, features=None, trial: str = "metastatic") -> pd.DataFrame:
    """Progression on ``arm`` by feature: Kaplan-Meier median progression-free survival with and without it
    (months; NaN = not reached), the fraction progression-free at 12 months (tumours are assessed on set weeks,
    so medians fall on few values), and the hazard ratio (95 % CI) from one multivariable Cox model."""
    features = _metastatic_features() if features is None else features
    duration, event = f"pfs_months[{arm}]", f"progressed[{arm}]"
    x = indicators(table, features, (duration, event), trial)
    varying, cannot = _comparable(x)
    frame = x[varying].assign(**{duration: table[duration].to_numpy(), event: table[event].astype(bool).to_numpy()})
    hazards, why_not = _cox(frame, duration, event) if varying else ({}, "no feature varies in this cohort")
    rows = []
    for f in features:
        has = x[f.name].to_numpy().astype(bool)
        row = dict.fromkeys(PROGRESSION_COLUMNS, None) | {
            "feature": f.name, "meaning": f.meaning, "patients_with": int(has.sum()),
            "patients_without": int((~has).sum()), "note": cannot.get(f.name, "")}
        if f.name not in cannot:
            row["median_pfs_with"], row["progression_free_12_months_with"] = \
                _kaplan_meier(table[duration][has], table[event][has])
            row["median_pfs_without"], row["progression_free_12_months_without"] = \
                _kaplan_meier(table[duration][~has], table[event][~has])
            if f.name in hazards:
                row["hazard_ratio"], row["hazard_ratio_low"], row["hazard_ratio_high"], row["p_value"] = \
                    hazards[f.name]
            else:
                row["note"] = why_not
        rows.append(row)
    return pd.DataFrame(rows, columns=list(PROGRESSION_COLUMNS))


def _strongest_first(frame: pd.DataFrame, ratio: str) -> pd.DataFrame:
    """Rows by how far the ratio is from 1 either way; rows without one last."""
    return frame.assign(_key=-np.log(frame[ratio].astype(float).fillna(1.0)).abs()).sort_values("_key")


def title(frame: pd.DataFrame) -> str:
    return "who progresses (progression-free survival)" if "hazard_ratio" in frame.columns \
        else "who resists (residual disease)"


def text_table(frame: pd.DataFrame) -> str:
    """The table as a biologist reads it: strongest effect first (odds ratios, or hazard ratios)."""
    if "hazard_ratio" in frame.columns:
        return _progression_text(frame)
    lines = [f"{'feature':<26}{'patients':>9}{'residual with / without':>26}{'difference (95% CI)':>24}"
             f"{'odds ratio (95% CI)':>24}"]
    for _, r in _strongest_first(frame, "odds_ratio").iterrows():
        if r["difference"] is None or pd.isna(r["difference"]):
            lines.append(f"{r['feature']:<26}{r['patients_with']:>9}  {r['note']}")
            continue
        odds = (f"{r['odds_ratio']:.2f} ({r['odds_ratio_low']:.2f}-{r['odds_ratio_high']:.2f})"
                if pd.notna(r["odds_ratio"]) else "not estimable")
        lines.append(f"{r['feature']:<26}{r['patients_with']:>9}{r['residual_with']:>14.3f} / "
                     f"{r['residual_without']:<9.3f}{r['difference']:>+9.3f} ({r['difference_low']:+.3f}, "
                     f"{r['difference_high']:+.3f}){odds:>24}")
    return "\n".join(lines)


def _progression_text(frame: pd.DataFrame) -> str:
    lines = [f"{'feature':<26}{'patients':>9}{'progression-free at 12 months, with / without':>48}"
             f"{'hazard ratio (95% CI)':>24}"]
    for _, r in _strongest_first(frame, "hazard_ratio").iterrows():
        if pd.isna(r["progression_free_12_months_with"]):
            lines.append(f"{r['feature']:<26}{r['patients_with']:>9}  {r['note']}")
            continue
        hazard = (f"{r['hazard_ratio']:.2f} ({r['hazard_ratio_low']:.2f}-{r['hazard_ratio_high']:.2f})"
                  if pd.notna(r["hazard_ratio"]) else "not estimable")
        rates = f"{r['progression_free_12_months_with']:.3f} / {r['progression_free_12_months_without']:.3f}"
        lines.append(f"{r['feature']:<26}{r['patients_with']:>9}{rates:>48}{hazard:>24}")
    return "\n".join(lines)
