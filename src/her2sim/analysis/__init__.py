"""Analysis: dose-response fits, combination metrics, statistics."""

from her2sim.analysis.dose_response import DoseResponseFit, auc_log_dose, fit_4pl, four_pl
from her2sim.analysis.synergy import bliss_excess, hsa_excess, loewe_combination_index

__all__ = ["DoseResponseFit", "auc_log_dose", "bliss_excess", "fit_4pl", "four_pl", "hsa_excess",
           "loewe_combination_index"]
