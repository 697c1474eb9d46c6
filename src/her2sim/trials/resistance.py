"""Which patients resist: residual disease after neoadjuvant therapy by patient covariate.

For each covariate of a virtual trial's cohort (``cohort.toml``), written as "has the feature or not":
- the residual-disease rate (no pCR) with and without it, and the difference with its 95 % confidence
  interval (Newcombe's hybrid score interval, statsmodels);
- the odds ratio of residual disease from one multivariable logistic regression over all features
  (statsmodels ``Logit``), so a feature's own share is separated from the features it travels with
  (PIK3CA mutation is more common in HR+ tumours in real cohorts; here the cohort draws them independently,
  but HR status and subtype, or HER2 level and subtype, are linked).

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


def _diameter_cm(table: pd.DataFrame) -> pd.Series:
    return (6.0 * table["tumour_cells"] / (np.pi * cohort_table()["cells_per_cm3"]["value"])) ** (1.0 / 3.0)


def _median_diameter_cm() -> float:
    return float(np.exp(cohort_table()["tumour_diameter_cm"]["log_mean"]))


FEATURES = (
    Feature("HR-positive", "oestrogen/progesterone receptor positive (endocrine therapy added)",
            lambda t: t["hr_positive"].astype(bool)),
    Feature("not HER2-enriched", "PAM50 subtype other than HER2-enriched", lambda t: t["subtype"] != "HER2-enriched"),
    Feature("PIK3CA mutant", "activating PIK3CA mutation", lambda t: t["pik3ca_mutant"].astype(bool)),
    Feature("p95HER2", "p95HER2-high (truncated HER2 without the trastuzumab epitope)",
            lambda t: t["p95her2"].astype(bool)),
    Feature("HER2-heterogeneous", "at least 5 % HER2-non-amplified tumour cells",
            lambda t: t["non_amplified_fraction"] >= 0.05),
    Feature("FCGR3A FF", "FCGR3A-158 F/F genotype (weakest trastuzumab ADCC)", lambda t: t["fcgr3a"] == "FF"),
    Feature("immune escape", "effector killing blunted in the tumour (CHI3L1/PD-L1-type escape)",
            lambda t: t["immune_escape"].astype(bool)),
    Feature("RANK-high", "RANK promoter class at least 2 x the cohort's reference",
            lambda t: t["rank_promoter"] >= 2.0),
    Feature("low lapatinib exposure", "lowest tumour-exposure class (below 0.6 x the typical patient's)",
            lambda t: t["lapatinib_class"] == 0),
    Feature("age < 50", "younger than 50 years", lambda t: t["age"] < 50),
    Feature("tumour above median size", f"diameter above the cohort median ({_median_diameter_cm():.1f} cm)",
            lambda t: _diameter_cm(t) > _median_diameter_cm()),
)

COLUMNS = ("feature", "meaning", "patients_with", "patients_without", "residual_with", "residual_without",
           "difference", "difference_low", "difference_high", "odds_ratio", "odds_ratio_low", "odds_ratio_high",
           "p_value", "note")


def indicators(table: pd.DataFrame) -> pd.DataFrame:
    """One 0/1 column per feature, for the patients of ``table``."""
    missing = {"pcr", "hr_positive", "subtype", "pik3ca_mutant", "p95her2", "non_amplified_fraction", "fcgr3a",
               "immune_escape", "rank_promoter", "lapatinib_class", "age", "tumour_cells"} - set(table.columns)
    if missing:
        raise InputError(f"a per-patient neoadjuvant table needs columns {sorted(missing)}; "
                         "run it from `her2sim trial pamela`")
    return pd.DataFrame({f.name: f.present(table).astype(int).to_numpy() for f in FEATURES}, index=table.index)


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
    varying = [name for name in x.columns if 0 < x[name].sum() < len(x)]
    odds, why_not = _logistic(residual, x[varying]) if varying else ({}, "no feature varies in this cohort")
    rows = []
    for f in FEATURES:
        has = x[f.name].to_numpy().astype(bool)
        n_with, n_without = int(has.sum()), int((~has).sum())
        row = dict.fromkeys(COLUMNS, None) | {"feature": f.name, "meaning": f.meaning, "patients_with": n_with,
                                             "patients_without": n_without, "note": ""}
        if f.name not in varying:
            row["note"] = "every patient has it" if n_without == 0 else "no patient has it"
            rows.append(row)
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


def text_table(frame: pd.DataFrame) -> str:
    """The table as a biologist reads it: strongest odds ratio first."""
    lines = [f"{'feature':<26}{'patients':>9}{'residual with / without':>26}{'difference (95% CI)':>24}"
             f"{'odds ratio (95% CI)':>24}"]
    order = frame.assign(_key=-np.log(frame["odds_ratio"].astype(float).fillna(1.0)).abs()).sort_values("_key")
    for _, r in order.iterrows():
        if r["difference"] is None or pd.isna(r["difference"]):
            lines.append(f"{r['feature']:<26}{r['patients_with']:>9}  {r['note']}")
            continue
        odds = (f"{r['odds_ratio']:.2f} ({r['odds_ratio_low']:.2f}-{r['odds_ratio_high']:.2f})"
                if pd.notna(r["odds_ratio"]) else "not estimable")
        lines.append(f"{r['feature']:<26}{r['patients_with']:>9}{r['residual_with']:>14.3f} / "
                     f"{r['residual_without']:<9.3f}{r['difference']:>+9.3f} ({r['difference_low']:+.3f}, "
                     f"{r['difference_high']:+.3f}){odds:>24}")
    return "\n".join(lines)
