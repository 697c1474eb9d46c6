"""Xenograft: tumour growth in the mouse from a small inoculum, with treatment started at
inoculation or on an established tumour (seed 003: trastuzumab on HER2-non-amplified MCF7).

Biology
- The tumour is the stem hierarchy of population/stem.py in vivo (``in_vivo_generator``):
  cancer stem cells renew themselves by the STAT3 x Notch signal; their non-stem progeny
  divide a few more times and become post-mitotic (Al-Hajj 2003: only stem cells sustain a
  tumour). Each compartment's division and death come from the signalling model under the
  drug (stem cells carry the HER2-positive-stem construct in non-amplified lines).
- Cells cycle slower in the mouse than on plastic: one ``pace`` factor scales every rate so
  that the untreated xenograft doubles its volume in ``xenograft_volume_doubling_days``.
- The inoculum is cultured cells at their culture equilibrium (3 % stem cells); the
  non-stem cells among them are spread evenly over the transit generations (assumed).
- Volume is proportional to living tumour cells; it is reported relative to the inoculum.
- The drug is held at a steady exposure from its start day (xenograft antibody dosing,
  10 mg/kg twice weekly, keeps trastuzumab well above its in vitro 10 ug/mL).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm
from scipy.optimize import brentq

from her2sim.engine.runner import result_cache
from her2sim.errors import InputError
from her2sim.population.dynamics import constants
from her2sim.population.stem import compartment_signals, equilibrium_mix, generator, in_vivo_generator, k_stem


def hierarchy_in_vivo(cell_line: str, drugs: tuple[tuple[str, str], ...], pace: float) -> np.ndarray:
    stem = compartment_signals(cell_line, (), drugs, True)
    rest = compartment_signals(cell_line, (), drugs, False)
    return in_vivo_generator(stem, rest, k_stem(cell_line), pace)


@result_cache
def pace(cell_line: str = "MCF7", doubling_days: float | None = None) -> float:
    """Factor on every in vitro rate that gives the untreated tumour its volume doubling time
    (by default the xenograft's)."""
    target = np.log(2) / (doubling_days or constants()["xenograft_volume_doubling_days"])

    def gap(log_pace):
        return float(np.max(np.real(np.linalg.eigvals(hierarchy_in_vivo(cell_line, (), 10**log_pace))))) - target

    try:
        return float(10 ** brentq(gap, -3, 1))
    except ValueError:
        raise InputError(f"{cell_line}: its hierarchy cannot grow at the xenograft doubling time") from None


@dataclass
class XenograftRun:
    days: list[float]
    volume: list[float]  # relative to the inoculum
    stem_fraction: list[float]

    def at(self, day: float) -> float:
        return float(np.interp(day, self.days, self.volume))


def inoculum(cell_line: str = "MCF7") -> np.ndarray:
    """Cultured cells at their culture equilibrium, as fractions of the inoculum."""
    k = k_stem(cell_line)
    f0 = equilibrium_mix(generator(compartment_signals(cell_line, (), (), True),
                                   compartment_signals(cell_line, (), (), False), k))[0]
    m = int(constants()["transit_generations"])
    return np.array([f0, *([(1 - f0) / m] * m), 0.0])


def grow_xenograft(cell_line: str = "MCF7", drugs: tuple[tuple[str, str], ...] = (), start_day: float = 0.0,
                   days: float = 56.0) -> XenograftRun:
    """Volume of one xenograft, drug-free until ``start_day`` and on ``drugs`` after it."""
    if days <= 0:
        raise InputError(f"days must be > 0; got {days}")
    if not 0 <= start_day <= days:
        raise InputError(f"treatment start must be between day 0 and day {days}; got {start_day}")
    p = pace(cell_line)
    untreated, treated = hierarchy_in_vivo(cell_line, (), p), hierarchy_in_vivo(cell_line, tuple(drugs), p)
    n0 = inoculum(cell_line)
    at_start = expm(untreated * start_day) @ n0
    grid = np.arange(0.0, days + 1e-9, 1.0)
    arr = np.array([expm(untreated * t) @ n0 if t <= start_day else expm(treated * (t - start_day)) @ at_start
                    for t in grid])
    total = arr.sum(axis=1)
    return XenograftRun(list(grid), list(total), list(arr[:, 0] / total))


__all__ = ["XenograftRun", "grow_xenograft", "hierarchy_in_vivo", "inoculum", "pace"]
