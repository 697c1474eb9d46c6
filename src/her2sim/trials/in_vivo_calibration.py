"""The in vivo constants that are calibrated, refitted together against their published data.

Each constant's fit lives with the trial it belongs to; this module runs them in one go, on the archetype
rates of the signalling model as it stands (what-ifs included), so that a change to the signalling layer
can be followed by a fresh in vivo calibration instead of carrying constants fitted to an older model:

- ``drug_kill_in_vivo`` / ``drug_kill_log_sd`` (tumour.toml): binomial maximum likelihood of TBCRC023's
  pCR counts at 12 and 24 weeks (``pamela.calibrate_drug_kill``); two counts barely constrain the spread,
  so the shipped spread is kept while it lies in the profile's 95 % interval, and only the median refitted;
- ``chemotherapy.kill_median`` / ``kill_log_sd`` (tumour.toml): Slamon 2001's chemotherapy-alone arm,
  half progressed by its median time to progression and 32 % responding (``metastatic.calibrate_chemotherapy``);
- ``ihc.rank_threshold_units`` / ``rankl_threshold_units`` (cohort.toml): seed 000's treatment-naive IHC
  positivity (``ihc.calibrate_thresholds``).

The nCounter offsets (PAMELA baseline means) are not refitted here: they only shift a readout, and
``her2sim reproduce`` shows whether they still hold (reference.json).
"""

from __future__ import annotations

import numpy as np

from her2sim.trials import ihc, metastatic, pamela, tumour
from her2sim.trials.cohort import cohort_table

CHEMOTHERAPY_MEDIANS = (0.01, 0.02, 0.03, 0.04, 0.06, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.28, 0.32, 0.4, 0.5)
CHEMOTHERAPY_LOG_SDS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0)


def shipped_values() -> dict[str, float]:
    """The calibrated constants as the package ships them (with any what-if in force)."""
    chemo, thresholds = tumour.constants()["chemotherapy"], cohort_table()["ihc"]
    return {"drug_kill_in_vivo": tumour.value("drug_kill_in_vivo"),
            "drug_kill_log_sd": tumour.value("drug_kill_log_sd"),
            "chemotherapy.kill_median": float(chemo["kill_median"]),
            "chemotherapy.kill_log_sd": float(chemo["kill_log_sd"]),
            "ihc.rank_threshold_units": float(thresholds["rank_threshold_units"]),
            "ihc.rankl_threshold_units": float(thresholds["rankl_threshold_units"])}


def calibrate_in_vivo(client, patients: int = 4000, seed: int = 0) -> dict:
    """Refit every calibrated in vivo constant on ``patients`` virtual patients of ``seed``; ``client`` is a
    Dask client for the archetype rates (cached by model fingerprint). Returns the fitted values under the
    names of ``shipped_values``, and each fit's details."""
    from her2sim.trials.engine import rates_table

    kill = pamela.calibrate_drug_kill(pamela.cohort(seed, range(patients)), rates_table(client, "pamela"),
                                      keep_log_sd=tumour.value("drug_kill_log_sd"))
    metastatic_rates = rates_table(client, "metastatic")  # the IHC cohorts share these archetypes
    chemo = metastatic.calibrate_chemotherapy(metastatic.cohort(seed, range(patients)), metastatic_rates,
                                              CHEMOTHERAPY_MEDIANS, CHEMOTHERAPY_LOG_SDS)
    best = chemo.iloc[0]
    thresholds = ihc.calibrate_thresholds(ihc.cohort(seed, range(patients)), metastatic_rates)
    values = {"drug_kill_in_vivo": kill["median"], "drug_kill_log_sd": kill["log_sd"],
              "chemotherapy.kill_median": float(best["kill_median"]),
              "chemotherapy.kill_log_sd": float(best["kill_log_sd"]),
              **{f"ihc.{k}": v for k, v in thresholds.items()}}
    if not all(np.isfinite(v) for v in values.values()):
        raise RuntimeError(f"in vivo calibration gave a non-finite value: {values}")
    return {"patients": patients, "seed": seed, "values": values,
            "drug_kill": kill, "chemotherapy": chemo.head(10).to_dict("records")}


__all__ = ["calibrate_in_vivo", "shipped_values"]
