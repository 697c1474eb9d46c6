"""Four-parameter log-logistic dose-response fits (the drc/GraphPad standard).

response(d) = bottom + (top - bottom) / (1 + (d / IC50)^hill)

IC50 is the dose at the curve's midpoint (relative IC50); Emax is the maximal
effect, 1 - bottom, on a relative-survival scale. AUC is the mean relative
survival over the tested log-dose range (1 = no effect), as in GDSC/CCLE.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import curve_fit

from her2sim.errors import InputError


def four_pl(dose, bottom, top, log_ic50, hill):
    dose = np.asarray(dose, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        ratio = np.where(dose > 0, np.exp(hill * (np.log(np.maximum(dose, 1e-300)) - log_ic50)), 0.0)
    return bottom + (top - bottom) / (1.0 + ratio)


@dataclass(frozen=True)
class DoseResponseFit:
    ic50: float
    emax: float
    hill: float
    top: float
    bottom: float
    auc: float
    r_squared: float
    converged: bool
    ic50_within_range: bool

    def as_dict(self) -> dict:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()}


def auc_log_dose(doses, response) -> float:
    """Mean response over the log-dose range of the non-zero doses (trapezoid on log10 dose)."""
    doses, response = np.asarray(doses, float), np.asarray(response, float)
    keep = doses > 0
    x, y = np.log10(doses[keep]), response[keep]
    if len(x) < 2:
        raise InputError("AUC needs at least two non-zero doses")
    order = np.argsort(x)
    x, y = x[order], y[order]
    return float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)) / (x[-1] - x[0]))


def fit_4pl(doses, response) -> DoseResponseFit:
    """Least-squares 4PL fit; bottom/top bounded to [0, 1.5], Hill to [0.1, 10]."""
    doses, response = np.asarray(doses, float), np.asarray(response, float)
    if doses.shape != response.shape or len(doses) < 4:
        raise InputError("a 4PL fit needs at least four (dose, response) pairs of equal length")
    if not (np.all(np.isfinite(doses)) and np.all(np.isfinite(response))) or np.any(doses < 0):
        raise InputError("doses and responses must be finite and doses >= 0")
    positive = doses[doses > 0]
    lo, hi = np.log(positive.min()), np.log(positive.max())
    mid = 0.5 * (response.max() + response.min())
    crossing = positive[np.argmin(np.abs(response[doses > 0] - mid))]
    start = [max(0.0, min(response.min(), 1.4)), min(1.5, max(response.max(), 0.0)), math.log(crossing), 1.0]
    bounds = ([0.0, 0.0, lo - 5 * math.log(10), 0.1], [1.5, 1.5, hi + 5 * math.log(10), 10.0])
    try:
        params, _ = curve_fit(four_pl, doses, response, p0=start, bounds=bounds, maxfev=20000)
        converged = True
    except (RuntimeError, ValueError):
        params, converged = np.array(start), False
    bottom, top, log_ic50, hill = (float(p) for p in params)
    predicted = four_pl(doses, *params)
    ss_res = float(np.sum((response - predicted) ** 2))
    ss_tot = float(np.sum((response - response.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res < 1e-12 else 0.0)
    ic50 = math.exp(log_ic50)
    return DoseResponseFit(
        ic50=ic50, emax=1.0 - bottom, hill=hill, top=top, bottom=bottom,
        auc=auc_log_dose(doses, response), r_squared=r2, converged=converged,
        ic50_within_range=bool(positive.min() <= ic50 <= positive.max()),
    )
