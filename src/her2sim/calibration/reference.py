"""The model against published measurements (``her2sim/data/reference_observations.tsv``).

Each row is a calibration target (a calibrated constant was set from it: the row shows the fit holds) or
held out (never used to build or tune the model: the row is a prediction). Every model value is simulated
when asked for, with the same cohorts as the claims (4000 patients, seed 0); a row is ``within`` when the
model falls in the row's band: the 95 % Wilson interval of a proportion, else the band the row gives.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from her2sim.data import ROLES, reference_observations
from her2sim.engine.runner import result_cache
from her2sim.errors import InputError

PATIENTS = 4000


def band(row: pd.Series) -> tuple[float, float]:
    """95 % Wilson interval of events/n for a proportion, else the row's own lower/upper."""
    if pd.notna(row["n"]):
        ci = stats.binomtest(int(row["events"]), int(row["n"])).proportion_ci(0.95, method="wilson")
        return float(ci.low), float(ci.high)
    return float(row["lower"]), float(row["upper"])


def lapatinib_ic50(line: str) -> float:
    from her2sim.analysis import fit_4pl
    from her2sim.assays.viability import cck8
    curve = cck8(line, (), "lapatinib")
    return float(fit_4pl(curve.doses_uM, curve.relative_survival).ic50)


def doubling_time_h(line: str) -> float:
    """Untreated cells in growth medium over the CCK-8 window (4 days)."""
    from her2sim.claims.viability import living_cells
    days = 4.0
    cells = living_cells(line, (), (), days)
    return float(days * 24.0 * np.log(2) / np.log(cells)) if cells > 1 else float("inf")


def trastuzumab_survival(line: str) -> float:
    from her2sim.claims.viability import single_dose
    return float(single_dose(line, (), [("trastuzumab", "10ug/mL")]))


def _trial(name: str) -> tuple:
    """(per-patient table, summary, archetype rates) of the claims' trial run (4000 patients, seed 0)."""
    from her2sim.claims.patient import trial
    return trial(name)


@result_cache
def _tbcrc023_pcr(weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """pCR per patient of the PAMELA cohort scaled to TBCRC023's tumour size, and who is HR-positive."""
    from her2sim.trials import pamela
    rows = pamela.cohort(0, range(PATIENTS))
    pcr = pamela.simulate_patients(pamela.tbcrc023_cohort(rows), _trial("pamela")[2], weeks=weeks)["pcr"]
    return pcr.to_numpy(), rows["hr_positive"].to_numpy(bool)


def _tbcrc023(weeks: int, hr_positive: bool | None) -> float:
    pcr, hr = _tbcrc023_pcr(weeks)
    return float(pcr.mean() if hr_positive is None else pcr[hr == hr_positive].mean())


def _vogel() -> float:
    from her2sim.trials import metastatic
    rows = metastatic.cohort(0, range(PATIENTS))
    return float(metastatic.trastuzumab_alone(rows, _trial("metastatic")[2])["response"].mean())


def _mittendorf_pcr() -> float:
    """pCR after 24 weeks of neoadjuvant chemotherapy + trastuzumab (the IHC-cohort patients; S001-RES-HET's arm)."""
    from her2sim.trials import ihc
    rows = ihc.cohort(0, range(PATIENTS))
    return float(ihc.simulate_patients(rows, _trial("ihc-cohorts")[2], weeks=ihc.MITTENDORF_WEEKS)["pcr"].mean())


def _summary(trial: str, key: str) -> Callable[[], float]:
    """A value of the claims' run of ``trial`` (its summary, under ``key``)."""
    return lambda: _trial(trial)[1][key]


def _median_note(arm: str) -> Callable[[], str]:
    """A Kaplan-Meier median that is not reached is reported at the end of follow-up: say it is a bound."""
    def note() -> str:
        reached = _trial("metastatic")[1][f"median_pfs_reached[{arm}]"]
        return "" if reached else "not reached: fewer than half progressed in follow-up; the value is its lower bound"
    return note


# what a model value means beyond its number, where that is needed to read it
MODEL_NOTES: dict[tuple[str, str], Callable[[], str]] = {
    ("median_pfs_months", f"slamon_{arm}"): _median_note(arm) for arm in ("chemotherapy", "chemotherapy+trastuzumab")}

# (observableId, simulationConditionId) -> how the model gives it
MODEL: dict[tuple[str, str], Callable[[], float]] = {
    **{("lapatinib_ic50_uM", line): (lambda line=line: lapatinib_ic50(line)) for line in ("SKBR3", "BT474", "HCC1954")},
    **{("doubling_time_h", line): (lambda line=line: doubling_time_h(line))
       for line in ("SKBR3", "BT474", "HCC1954", "MCF7")},
    **{("trastuzumab_survival_10ug", line): (lambda line=line: trastuzumab_survival(line))
       for line in ("SKBR3", "BT474")},
    **{(key, "pamela"): _summary("pamela", key) for key in (
        "pcr_rate", "pcr_rate_hr_pos", "pcr_rate_hr_neg", "pcr_rate_her2_enriched", "pcr_rate_non_her2_enriched",
        "rank_log2_baseline_mean", "rankl_log2_baseline_mean", "rank_log2_baseline_sd", "rank_log2_surgery_mean",
        "rankl_log2_surgery_mean")},
    **{(key, f"tbcrc023_{weeks}wk"): (lambda weeks=weeks, hr=hr: _tbcrc023(weeks, hr))
       for weeks in (12, 24) for key, hr in (("pcr_rate", None), ("pcr_rate_hr_pos", True))},
    **{(key, f"slamon_{arm}"): _summary("metastatic", f"{key}[{arm}]")
       for key in ("median_pfs_months", "objective_response") for arm in ("chemotherapy", "chemotherapy+trastuzumab")},
    ("objective_response", "vogel_trastuzumab"): _vogel,
    ("pcr_rate", "mittendorf_24wk"): _mittendorf_pcr,
    **{(f"{protein}_ihc_positive", state): _summary("ihc-cohorts", f"{protein}_positive_{state}")
       for protein in ("rank", "rankl") for state in ("naive", "residual")},
}


def check_table(table: pd.DataFrame) -> None:
    """Every row has a role, a provenance, a band and a model counterpart."""
    for _, row in table.iterrows():
        key = (row["observableId"], row["simulationConditionId"])
        where = f"reference observation {key[0]} / {key[1]}"
        if key not in MODEL:
            raise InputError(f"{where} has no model counterpart in her2sim.calibration.reference.MODEL")
        if row["role"] not in ROLES:
            raise InputError(f"{where}: role {row['role']!r}; allowed: {', '.join(ROLES)}")
        if not isinstance(row["provenance"], str) or not row["provenance"].strip():
            raise InputError(f"{where} has no provenance")
        low, high = band(row)
        if not low <= row["measurement"] <= high:
            raise InputError(f"{where}: measurement {row['measurement']} outside its band {low:.3g}-{high:.3g}")


def compare(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reference table (or the given rows of it) with the model's value, the band and whether the model
    falls in it."""
    table = reference_observations() if table is None else table
    check_table(table)
    table = table.copy()
    bands = [band(row) for _, row in table.iterrows()]
    table["band_low"] = [b[0] for b in bands]
    table["band_high"] = [b[1] for b in bands]
    table["model"] = [MODEL[(o, c)]() for o, c in zip(table["observableId"], table["simulationConditionId"],
                                                       strict=True)]
    if not np.isfinite(table["model"]).all():
        bad = table.loc[~np.isfinite(table["model"]), "observableId"].tolist()
        raise RuntimeError(f"the model gave no finite value for {', '.join(bad)}")
    table["within"] = (table["model"] >= table["band_low"]) & (table["model"] <= table["band_high"])
    table["model_note"] = [MODEL_NOTES[(o, c)]() if (o, c) in MODEL_NOTES else ""
                           for o, c in zip(table["observableId"], table["simulationConditionId"], strict=True)]
    return table[["observableId", "simulationConditionId", "role", "measurement", "band_low", "band_high",
                  "model", "within", "model_note", "provenance"]].reset_index(drop=True)


def as_records(table: pd.DataFrame) -> list[dict]:
    return [{k: (bool(v) if k == "within" else v) for k, v in row.items()} for row in table.to_dict("records")]
