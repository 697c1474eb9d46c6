"""Stem-cell hierarchy and radiation (population layer).

Biology
- Two compartments at phenotypic equilibrium (Gupta PB et al. 2011 Cell 146:633):
  cancer stem cells (CSC; in HER2-non-amplified MCF7 these are HER2+/CD44+/CD24-low:
  the line with the ``HER2-positive-stem`` construct, seeds 003 and 004) and non-stem
  cells (the line itself). Non-stem cells re-enter the stem state at a small rate.
- Each CSC division renews the compartment with net probability delta (symmetric
  renewal minus symmetric differentiation); the rest of its output is non-stem. delta
  follows the stem signal S = STAT3 activity x Notch activity (as a fraction of its
  maximum), both from the signalling model: STAT3 is where HER2, IL-6/JAK2 and Src
  meet (seed 004: HER2-STAT3 network of BCSCs; seed 001: IL-6/JAK2/STAT3 expands
  stem-like cells), and Notch is needed alongside it (seed 001; gamma-secretase
  inhibitors shrink the stem fraction; Notch-STAT3 cooperation, Kamakura S et al. 2004
  Nat Cell Biol 6:547): delta = delta_max S^2 / (K^2 + S^2). K is set per line so that
  its untreated culture holds the sourced CSC fraction (3 %).
- In HER2-amplified lines stem and non-stem cells carry the same HER2; in non-amplified
  ones the stem cells are the HER2+ ones (the ``HER2-positive-stem`` construct).
- Radiation: linear-quadratic kill per fraction, alpha and beta divided by
  (S / S_ref)^gamma where S is the state's survival signal in the network (HER2 ->
  AKT/STAT3/NF-kB) and S_ref that of non-stem cells of the same line: HER2+ CSCs are
  radioresistant and lose it when HER2 is blocked (seed 004).
- Spheres: a sphere needs a self-renewing cell, so the sphere assay counts the stem
  cells a sorted population holds after a week in sphere culture (relative readout).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm
from scipy.optimize import brentq

from her2sim.engine.runner import result_cache, variant_parameters
from her2sim.errors import InputError
from her2sim.model import load_parameters
from her2sim.population.dynamics import constants, window_means
from her2sim.variants import construct

STEM_CONSTRUCT = "HER2-positive-stem"


@dataclass(frozen=True)
class CompartmentSignals:
    division: float  # per day
    death: float  # per day
    stat3: float
    notch: float  # fraction of maximal Notch activity
    survival: float  # survival signal of the cell-fate module

    @property
    def stem_signal(self) -> float:
        return self.stat3 * self.notch


def _stem_constructs(cell_line: str, constructs: tuple[str, ...], stem: bool) -> tuple[str, ...]:
    if not stem:
        return tuple(constructs)
    own = {**{k: p.value for k, p in load_parameters().items()}, **variant_parameters(cell_line, constructs)}
    stem_her2 = construct(STEM_CONSTRUCT).parameters["HER2_expression"]
    return tuple(constructs) + ((STEM_CONSTRUCT,) if own["HER2_expression"] < stem_her2 else ())


def _notch_max() -> float:
    p = {k: v.value for k, v in load_parameters().items()}
    return p["k_NICD"] / (p["kdeg_NICD"] * p["NICD_reference"]) * (1 + p["Notch_HER2_derepression"])


@result_cache
def compartment_signals(cell_line: str, constructs: tuple[str, ...], drugs: tuple[tuple[str, str], ...],
                        stem: bool, state: tuple[tuple[str, float], ...] = ()) -> CompartmentSignals:
    """Rates and signals of stem or non-stem cells under the drugs, averaged over days 1-3.

    ``state``: parameter values of a heritable state (population/dynamics.py), as sorted pairs."""
    mean = window_means(cell_line, _stem_constructs(cell_line, tuple(constructs), stem), drugs,
                        ["obs_proliferation_rate", "obs_death_rate", "STAT3_activity", "Notch_activity",
                         "obs_survival_signal"], dict(state))
    return CompartmentSignals(mean["obs_proliferation_rate"] * 1440, mean["obs_death_rate"] * 1440,
                              mean["STAT3_activity"], mean["Notch_activity"] / _notch_max(),
                              mean["obs_survival_signal"])


def _delta(signal: float, k: float) -> float:
    return constants()["csc_self_renewal_max"] * signal**2 / (k**2 + signal**2)


def generator(stem: CompartmentSignals, rest: CompartmentSignals, k: float) -> np.ndarray:
    """A with d[C, N]/dt = A [C, N] (per day)."""
    eps = constants()["dedifferentiation"]
    delta = _delta(stem.stem_signal, k)
    return np.array([[stem.division * delta - stem.death, eps * rest.division],
                     [stem.division * (1 - delta), rest.division - rest.death - eps * rest.division]])


def in_vivo_generator(stem: CompartmentSignals, rest: CompartmentSignals, k: float, pace: float,
                      generations: int | None = None) -> np.ndarray:
    """A with d[C, P1..Pm, D]/dt = A [...] (per day): the hierarchy in a tumour.

    In vivo a non-stem cell has ``transit_generations`` (m) divisions left: each division of P_i
    gives two P_(i+1) cells (P_(m+1) = D, post-mitotic, which only die). With m -> infinity this
    sums to ``generator`` (the culture, where non-stem cells keep dividing). ``pace`` scales every
    rate: cells cycle slower in the mouse or the patient than on plastic. ``generations`` overrides m."""
    m = int(generations or constants()["transit_generations"])
    eps = constants()["dedifferentiation"]
    delta = _delta(stem.stem_signal, k)
    a = np.zeros((m + 2, m + 2))
    a[0, 0] = stem.division * delta - stem.death
    a[1, 0] = stem.division * (1 - delta)
    for i in range(1, m + 1):
        a[i, i] = -(rest.division + rest.death)
        a[i + 1, i] = rest.division * (2 - eps)
        a[0, i] = rest.division * eps
    a[m + 1, m + 1] = -rest.death
    return pace * a


def equilibrium_mix(a: np.ndarray) -> np.ndarray:
    """Composition a growing population settles into: the dominant eigenvector of A, summing to 1."""
    values, vectors = np.linalg.eig(a)
    v = np.abs(np.real(vectors[:, np.argmax(np.real(values))]))
    return v / v.sum()


def _equilibrium_fraction(a: np.ndarray) -> float:
    return float(equilibrium_mix(a)[0])


@result_cache
def k_stem(cell_line: str = "MCF7") -> float:
    """Stem signal for half-maximal renewal, set so the untreated culture holds the sourced CSC fraction."""
    target = constants()["csc_fraction_untreated"]
    stem, rest = compartment_signals(cell_line, (), (), True), compartment_signals(cell_line, (), (), False)

    def gap(log_k):
        return _equilibrium_fraction(generator(stem, rest, 10**log_k)) - target

    try:
        return float(10 ** brentq(gap, -3, 2))
    except ValueError:
        raise InputError(f"{cell_line}: no stem-signal threshold gives a {target:.0%} stem fraction") from None


@dataclass
class HierarchyRun:
    days: list[float]
    stem: list[float]
    non_stem: list[float]

    @property
    def stem_fraction(self) -> float:
        return self.stem[-1] / (self.stem[-1] + self.non_stem[-1])


def run_hierarchy(cell_line: str, drugs: tuple[tuple[str, str], ...] = (), days: float = 7.0,
                  fractions_gy: tuple[float, ...] = (), fraction_interval_days: float = 1.0,
                  constructs: tuple[str, ...] = (), start: tuple[float, float] | None = None,
                  state: tuple[tuple[str, float], ...] = ()) -> HierarchyRun:
    """Grow a culture at its untreated equilibrium mix under ``drugs`` for ``days``; give each radiation
    fraction (Gy) at day 0, interval, 2 x interval... then grow for the rest of ``days``."""
    if days <= 0:
        raise InputError(f"days must be > 0; got {days}")
    if any(not 0 <= d <= 30 for d in fractions_gy):
        raise InputError("radiation fractions must be between 0 and 30 Gy")
    k = k_stem(cell_line)
    stem = compartment_signals(cell_line, constructs, drugs, True, state)
    rest = compartment_signals(cell_line, constructs, drugs, False, state)
    a = generator(stem, rest, k)
    if start is None:
        f0 = _equilibrium_fraction(generator(compartment_signals(cell_line, constructs, (), True, state),
                                             compartment_signals(cell_line, constructs, (), False, state), k))
        start = (f0, 1 - f0)
    n = np.array(start, float)
    t, out_days, out = 0.0, [0.0], [n.copy()]
    sf = {stem: lq_survival(cell_line, constructs, drugs, stem) for stem in (True, False)}
    for dose in fractions_gy:
        n = n * np.array([sf[True](dose), sf[False](dose)])
        n = expm(a * fraction_interval_days) @ n
        t += fraction_interval_days
        out_days.append(t)
        out.append(n.copy())
    if days > t:
        n = expm(a * (days - t)) @ n
        out_days.append(days)
        out.append(n.copy())
    arr = np.array(out)
    return HierarchyRun(out_days, list(arr[:, 0]), list(arr[:, 1]))


def lq_survival(cell_line: str, constructs: tuple[str, ...], drugs, stem: bool):
    """Surviving fraction after one dose (Gy) for stem or non-stem cells under the drugs."""
    c = constants()
    ref = compartment_signals(cell_line, (), (), False).survival
    own = compartment_signals(cell_line, constructs, drugs, stem).survival
    scale = (ref / own) ** c["radioprotection_exponent"]
    alpha, beta = c["radiation_alpha"] * scale, c["radiation_beta"] * scale
    return lambda dose: float(np.exp(-alpha * dose - beta * dose**2))


def sphere_units(cell_line: str, constructs: tuple[str, ...] = (), drugs=(), stem_fraction: float = 1.0,
                 days: float = 7.0) -> float:
    """Sphere assay: stem cells present after ``days`` in sphere culture per plated cell (a sphere needs a
    self-renewing cell), starting from a sorted population with ``stem_fraction`` CSCs."""
    run = run_hierarchy(cell_line, drugs, days=days, constructs=constructs, start=(stem_fraction, 1 - stem_fraction))
    return float(run.stem[-1])


__all__ = ["STEM_CONSTRUCT", "HierarchyRun", "compartment_signals", "equilibrium_mix", "in_vivo_generator", "k_stem",
           "lq_survival", "run_hierarchy", "sphere_units"]
