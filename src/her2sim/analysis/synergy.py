"""Combination metrics on relative-survival grids (1 = untreated).

Effects are fractional inhibitions E = 1 - survival.
- Bliss excess: E_AB - (E_A + E_B - E_A*E_B) (Bliss 1939); > 0 synergy.
- HSA excess: E_AB - max(E_A, E_B) (Berenbaum 1989).
- Loewe combination index: a/A_x + b/B_x for the combination (a, b) reaching
  effect x, with A_x, B_x the single-agent doses giving x, from 4PL fits
  (Chou-Talalay form; < 1 synergy, 1 additivity, > 1 antagonism).
"""

from __future__ import annotations

import math

import numpy as np

from her2sim.analysis.dose_response import DoseResponseFit
from her2sim.errors import InputError


def bliss_excess(survival_a: float, survival_b: float, survival_ab: float) -> float:
    ea, eb, eab = 1 - survival_a, 1 - survival_b, 1 - survival_ab
    return float(eab - (ea + eb - ea * eb))


def hsa_excess(survival_a: float, survival_b: float, survival_ab: float) -> float:
    return float((1 - survival_ab) - max(1 - survival_a, 1 - survival_b))


def _dose_for_survival(fit: DoseResponseFit, survival: float) -> float:
    """Inverse 4PL: dose giving ``survival``; inf if the curve never reaches it."""
    if not (min(fit.bottom, fit.top) < survival < max(fit.bottom, fit.top)):
        return math.inf
    return fit.ic50 * ((fit.top - fit.bottom) / (survival - fit.bottom) - 1.0) ** (1.0 / fit.hill)


def loewe_combination_index(dose_a: float, dose_b: float, survival_ab: float,
                            fit_a: DoseResponseFit, fit_b: DoseResponseFit) -> float:
    a_x, b_x = _dose_for_survival(fit_a, survival_ab), _dose_for_survival(fit_b, survival_ab)
    if dose_a < 0 or dose_b < 0 or (dose_a == 0 and dose_b == 0):
        raise InputError("a combination index needs non-negative doses, at least one > 0")
    return float(np.sum([d / x for d, x in ((dose_a, a_x), (dose_b, b_x)) if d > 0]))
