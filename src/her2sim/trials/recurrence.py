"""Recurrence cohort of seed 004: HER2+/CD44+ stem-like cells in primary vs recurrent
HER2-non-amplified tumours.

Mechanism: the tumour is the stem hierarchy in vivo (population/stem.py ``in_vivo_generator``,
MCF7-like; its stem cells are the HER2+/CD44+/CD24-low cells). A primary tumour holds the
hierarchy's in vivo equilibrium mix. After surgery, the residual disease receives whole-breast
radiotherapy (linear-quadratic kill per compartment, stem cells radioresistant through their
HER2-driven survival signal, as in S004-RAD-1) and regrows, at the pace of patients' tumours
(median volume doubling time, cohort.toml), until it is found as a recurrence.

Readout: a specimen "contains HER2+/CD44+ cells" when its stem fraction reaches a detection
threshold. Tumours differ in that fraction (lognormal spread around the model's value, the same
spread before and after therapy); the threshold is calibrated so that 57.1 % of primaries are
positive. The recurrent positivity is then a prediction: it moves only if therapy and regrowth
leave the recurrence with a different stem fraction than its primary.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import expm
from scipy.optimize import brentq
from scipy.stats import norm

from her2sim.engine.runner import result_cache
from her2sim.population.stem import equilibrium_mix, lq_survival
from her2sim.population.xenograft import hierarchy_in_vivo, pace
from her2sim.trials.cohort import cohort_table

CELL_LINE = "MCF7"
FRACTION_INTERVAL_DAYS = 7 / 5


@result_cache
def course() -> dict[str, float]:
    """Stem fraction of the primary and of its recurrence, and the time to recurrence."""
    cfg = cohort_table()["recurrence"]
    a = hierarchy_in_vivo(CELL_LINE, (), pace(CELL_LINE, cohort_table()["volume_doubling_days"]["median"]))
    primary = equilibrium_mix(a)
    sf_stem, sf_rest = lq_survival(CELL_LINE, (), (), True), lq_survival(CELL_LINE, (), (), False)
    dose = cfg["radiotherapy_gy"]
    kill = np.array([sf_stem(dose), *[sf_rest(dose)] * (len(primary) - 1)])
    n = cfg["residual_cells"] * primary
    step = expm(a * FRACTION_INTERVAL_DAYS)
    for _ in range(int(cfg["radiotherapy_fractions"])):
        n = step @ (n * kill)
    after_radiotherapy = n.copy()

    def gap(days):
        return np.log((expm(a * days) @ after_radiotherapy).sum() / cfg["detected_cells"])

    days = brentq(gap, 0.0, 1e5)
    recurrence = expm(a * days) @ after_radiotherapy
    return {"primary_stem_fraction": float(primary[0]),
            "stem_fraction_after_radiotherapy": float(after_radiotherapy[0] / after_radiotherapy.sum()),
            "recurrent_stem_fraction": float(recurrence[0] / recurrence.sum()),
            "cells_after_radiotherapy": float(after_radiotherapy.sum()),
            "months_to_recurrence": float(days / 30.44)}


def positivity() -> dict[str, float]:
    """Expected fraction of primary and recurrent specimens containing HER2+/CD44+ cells."""
    cfg = cohort_table()["recurrence"]
    c = course()
    sd = cfg["stem_fraction_log10_sd"]
    # threshold: P(log10 f_primary >= log10 theta) = primary_positive
    z_primary = norm.ppf(cfg["primary_positive"])
    shift = np.log10(c["recurrent_stem_fraction"] / c["primary_stem_fraction"]) / sd
    return {"primary": float(norm.cdf(z_primary)), "recurrent": float(norm.cdf(z_primary + shift)), **c}


__all__ = ["course", "positivity"]
