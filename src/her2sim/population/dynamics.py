"""States, rates from the signalling model, and the two solvers (see the package docstring)."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.linalg import expm

from her2sim.drugs import agent
from her2sim.engine import Protocol, simulate
from her2sim.engine.runner import ConstantValues, result_cache, variant_parameters
from her2sim.errors import InputError
from her2sim.model import load_parameters

STATES = ("sensitive", "tolerant", "resistant", "tolerant+resistant")
SENSITIVE, TOLERANT, RESISTANT, BOTH = range(4)
MAX_CELLS = 1e12


@functools.cache
def _file_constants() -> dict[str, float]:
    table = tomllib.loads(resources.files("her2sim.population").joinpath("parameters.toml").read_text())
    return {name: float(entry["value"]) for name, entry in table.items()}


POPULATION_VALUES = ConstantValues("population constant", _file_constants)
population_values = POPULATION_VALUES.values  # what-ifs: with population_values({"tolerance_lock": 0.5}): ...


def constants() -> dict[str, float]:
    """The population layer's constants (parameters.toml), with any ``population_values`` what-if."""
    return {**_file_constants(), **POPULATION_VALUES.current()}


@functools.cache
def constant_sources() -> dict[str, str]:
    table = tomllib.loads(resources.files("her2sim.population").joinpath("parameters.toml").read_text())
    return {name: entry["source"] for name, entry in table.items()}


def state_parameters(cell_line: str, constructs: tuple[str, ...], state: str) -> dict[str, float]:
    """Absolute parameter values that make the line's cells the given state (for ``simulate``)."""
    if state not in STATES:
        raise InputError(f"unknown cell state {state!r}; allowed: {', '.join(STATES)}")
    base = {**_model_defaults(), **variant_parameters(cell_line, constructs)}
    return with_neutral_cycling(cell_line, constructs, base, state)


def with_neutral_cycling(cell_line: str, constructs: tuple[str, ...], base: dict[str, float], state: str,
                         medium: tuple[tuple[str, str], ...] = ()) -> dict[str, float]:
    """``state_changes`` plus the slower cycling that keeps the state, drug-free, from outgrowing sensitive cells.

    Why: the switching rates (Sharma 2010: persisters ~0.3 % of untreated populations) and the Luria-Delbrueck
    mutant fraction (``parental_fractions``) are balances that hold only if neither state grows faster than
    sensitive cells without the drug, and drug-tolerant persisters are slow-cycling (Sharma 2010). The state's
    NF-kB programme or bypass receptor would otherwise speed its division, so untreated cultures would fill
    with 'resistant' cells and a chronic protocol would select what plain passaging selects. Here the
    state's maximal division rate is lowered, never raised, until its drug-free net growth in ``medium``
    equals the sensitive cells'; under drug the state keeps whatever advantage the network gives it."""
    changes = state_changes(base, state)
    if state == STATES[SENSITIVE]:
        return changes
    factor = neutral_cycling_factor(cell_line, tuple(constructs), tuple(sorted(_differences(base, {}).items())),
                                    tuple(sorted(_differences(base, changes).items())), tuple(medium))
    return {**changes, "k_proliferation_max": base["k_proliferation_max"] * factor}


def _differences(base: dict[str, float], changes: dict[str, float]) -> dict[str, float]:
    """``base`` overlaid with ``changes``, keeping what differs from the model-wide defaults (so a what-if on a
    default stays in force) and every changed value: the absolute values ``simulate`` takes."""
    return {k: v for k, v in {**base, **changes}.items() if k in changes or k not in _model_defaults()
            or v != _model_defaults()[k]}


@functools.cache
def _model_defaults() -> dict[str, float]:
    return {k: p.value for k, p in load_parameters().items()}


@result_cache
def neutral_cycling_factor(cell_line: str, constructs: tuple[str, ...], sensitive: tuple[tuple[str, float], ...],
                           state: tuple[tuple[str, float], ...], medium: tuple[tuple[str, str], ...]) -> float:
    """Factor (<= 1) on a state's maximal division that makes its drug-free net growth the sensitive cells'."""
    observables = ["obs_proliferation_rate", "obs_death_rate"]
    ref = window_means(cell_line, constructs, medium, observables, dict(sensitive))
    own = window_means(cell_line, constructs, medium, observables, dict(state))
    sensitive_growth = ref["obs_proliferation_rate"] - ref["obs_death_rate"]
    return float(min(1.0, max(0.0, (sensitive_growth + own["obs_death_rate"]) / own["obs_proliferation_rate"])))


def state_changes(base: dict[str, float], state: str) -> dict[str, float]:
    """What a heritable state changes on cells whose parameters are ``base``: tolerant cells carry a more
    active RANK promoter and constitutive IKK; resistant cells a lapatinib-insensitive bypass receptor."""
    c = constants()
    changes: dict[str, float] = {}
    if "tolerant" in state:
        changes["RANK_expression"] = base["RANK_expression"] * c["tolerant_RANK_promoter"]
        changes["IKK_constitutive"] = max(base["IKK_constitutive"], c["tolerant_IKK_constitutive"])
    if "resistant" in state:
        changes["bypass_RTK"] = max(base["bypass_RTK"], c["resistant_bypass_RTK"])
    return changes


@dataclass(frozen=True)
class Rates:
    division: float  # per day
    death: float  # per day
    foxo: float  # FOXO3a nuclear fraction (the drug-induced lock)
    rank_mrna: float
    rank_protein: float
    nfkb: float
    p_her2: float
    her2_total: float


def rate_window_protocol(drugs: tuple[tuple[str, str], ...]) -> Protocol:
    """Drugs added at time 0, read nine times from day 1 to ``rate_window_days``."""
    protocol = Protocol(name="rates")
    for name, dose in drugs:
        protocol = protocol.add("0h", name, dose)
    for hour in np.linspace(24.0, constants()["rate_window_days"] * 24.0, 9):
        protocol = protocol.read(f"{hour}h")
    return protocol


def window_means(cell_line: str, constructs: tuple[str, ...], drugs: tuple[tuple[str, str], ...],
                 observables: list[str], parameters: dict[str, float] | None = None) -> dict[str, float]:
    """Readouts averaged over days 1 to ``rate_window_days`` after adding the drugs at time 0."""
    table = simulate(cell_line, constructs, rate_window_protocol(drugs), observables, parameters=parameters or None)
    return {k: float(v) for k, v in table.groupby("observable")["value"].mean().items()}


@result_cache
def state_rates(cell_line: str, constructs: tuple[str, ...], state: str, drugs: tuple[tuple[str, str], ...]) -> Rates:
    """Division and death (per day) of a state under the drugs, averaged over days 1-3 after adding them."""
    mean = window_means(cell_line, constructs, drugs,
                        ["obs_proliferation_rate", "obs_death_rate", "FOXO_activity", "RANK_mRNA", "obs_RANK_protein",
                         "NFkB_activity", "obs_pHER2", "obs_HER2_total"],
                        state_parameters(cell_line, constructs, state))
    return Rates(division=mean["obs_proliferation_rate"] * 1440.0, death=mean["obs_death_rate"] * 1440.0,
                 foxo=mean["FOXO_activity"], rank_mrna=mean["RANK_mRNA"], rank_protein=mean["obs_RANK_protein"],
                 nfkb=mean["NFkB_activity"], p_her2=mean["obs_pHER2"], her2_total=mean["obs_HER2_total"])


def tolerance_lock(foxo):
    """Fraction of tolerant -> sensitive reversion blocked: FOXO activation, with RANK's own Hill curve."""
    k = load_parameters()["K_FOXO_RANK"].value
    return constants()["tolerance_lock"] * foxo**3 / (k**3 + foxo**3)


def switching_flows(foxo_tolerant, foxo_both) -> list[tuple[int, int, object]]:
    """(from, to, probability per division) between the four states: plastic switching and mutation."""
    c = constants()
    return [
        (SENSITIVE, TOLERANT, c["tolerance_entry"]),
        (TOLERANT, SENSITIVE, c["tolerance_exit"] * (1 - tolerance_lock(foxo_tolerant))),
        (RESISTANT, BOTH, c["tolerance_entry"]),
        (BOTH, RESISTANT, c["tolerance_exit"] * (1 - tolerance_lock(foxo_both))),
        (SENSITIVE, RESISTANT, c["resistance_mutation"]),
        (TOLERANT, BOTH, c["resistance_mutation"]),
    ]


def generator(rates: list[Rates]) -> np.ndarray:
    """A with dN/dt = A N: net growth on the diagonal, switching and mutation per division off it."""
    b = np.array([r.division for r in rates])
    d = np.array([r.death for r in rates])
    a = np.diag(b - d)
    for i, j, p in switching_flows(rates[TOLERANT].foxo, rates[BOTH].foxo):
        a[j, i] += p * b[i]
        a[i, i] -= p * b[i]
    return a


@dataclass(frozen=True)
class Step:
    days: float
    drugs: tuple[tuple[str, str], ...] = ()  # (agent, dose with unit)

    def label(self) -> str:
        return ", ".join(f"{a} {d}" for a, d in self.drugs) or "no drug"


def _check_drugs(drugs) -> tuple[tuple[str, str], ...]:
    checked = []
    for name, dose in drugs:
        found = agent(name)
        if found.to_nM(dose) < 0:
            raise InputError(f"dose {dose!r} of {name} is negative; doses must be >= 0")
        checked.append((found.name, str(dose)))
    return tuple(checked)


def load_protocol(spec: str | Path) -> tuple[str, list[Step]]:
    """A named chronic-exposure protocol (see protocols.toml) or a TOML file with [[step]] tables."""
    named = tomllib.loads(resources.files("her2sim.population").joinpath("protocols.toml").read_text())
    path = Path(spec)
    if str(spec) in named:
        name, table = str(spec), named[str(spec)]
    elif path.suffix == ".toml" and path.is_file():
        try:
            table = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as error:
            raise InputError(f"protocol file {path} is not valid TOML: {error}") from None
        name = table.get("name", path.stem)
    else:
        raise InputError(f"unknown protocol {str(spec)!r}; give a TOML file or one of: {', '.join(named)}")
    steps = []
    for k, step in enumerate(table.get("step", []), start=1):
        weeks, days = step.get("weeks"), step.get("days")
        if (weeks is None) == (days is None):
            raise InputError(f"protocol {name!r} step {k}: give exactly one of weeks or days")
        duration = float(weeks) * 7 if weeks is not None else float(days)
        if not duration > 0:
            raise InputError(f"protocol {name!r} step {k}: duration must be > 0")
        steps.append(Step(duration, _check_drugs(step.get("drugs", {}).items())))
    if not steps:
        raise InputError(f"protocol {name!r} has no [[step]] entries")
    return name, steps


@dataclass
class EvolveResult:
    cell_line: str
    constructs: tuple[str, ...]
    protocol: str
    mode: str
    table: pd.DataFrame  # day, step, replicate, state, cells (after passaging), fraction
    passages: int = 0
    notes: list[str] = field(default_factory=list)

    def final_fractions(self) -> dict[str, float]:
        last = self.table[self.table["day"] == self.table["day"].max()]
        totals = last.groupby("state")["cells"].mean()
        return {s: float(totals[s] / totals.sum()) if totals.sum() > 0 else 0.0 for s in STATES}

    def totals(self) -> pd.DataFrame:
        """Total cells per day (mean over replicates), as counted: passaging dilutes."""
        per_rep = self.table.groupby(["day", "replicate"])["cells"].sum().reset_index()
        return per_rep.groupby("day")["cells"].mean().reset_index()


def evolve(cell_line: str, steps: list[Step], constructs: tuple[str, ...] = (), initial_cells: float = 1e6,
           initial_fractions: dict[str, float] | None = None, stochastic: bool = False, replicates: int = 1,
           seed: int = 0, report_days: float = 7.0, tau_days: float = 0.05, protocol_name: str = "custom",
           passage: bool = True) -> EvolveResult:
    """Run a chronic-exposure protocol on a line's cells; report every ``report_days`` and at step ends."""
    if not initial_cells >= 1 or not np.isfinite(initial_cells) or initial_cells > MAX_CELLS:
        raise InputError(f"initial cells must be between 1 and {MAX_CELLS:g}; got {initial_cells:g}")
    fractions = initial_fractions or parental_fractions(cell_line, constructs, initial_cells)
    for name, value in fractions.items():
        if name not in STATES:
            raise InputError(f"unknown cell state {name!r}; allowed: {', '.join(STATES)}")
        if not 0 <= value <= 1:
            raise InputError(f"fraction of {name} is {value}; fractions must be between 0 and 1")
    if abs(sum(fractions.values()) - 1) > 1e-9:
        raise InputError(f"state fractions must sum to 1; they sum to {sum(fractions.values()):.6g}")
    if replicates < 1:
        raise InputError(f"replicates must be >= 1; got {replicates}")
    if not 0 < tau_days <= 1:
        raise InputError(f"tau must be in (0, 1] day; got {tau_days}")
    c = constants()
    n0 = np.array([fractions.get(s, 0.0) for s in STATES]) * initial_cells
    reps = replicates if stochastic else 1
    counts = np.tile(n0, (reps, 1))
    rng = np.random.default_rng(seed)
    if stochastic:
        counts = rng.multinomial(int(round(initial_cells)), n0 / n0.sum(), size=reps).astype(float)
    rows, day, passages = [], 0.0, 0
    _record(rows, day, 0, counts)
    for k, step in enumerate(steps, start=1):
        rates = [state_rates(cell_line, tuple(constructs), s, step.drugs) for s in STATES]
        a = generator(rates)
        stops = np.unique(np.append(np.arange(report_days, step.days, report_days), step.days))
        t = 0.0
        for stop in stops:
            dt = stop - t
            if stochastic:
                counts = _tau_leap(counts, rates, a, dt, tau_days, rng)
            else:
                counts = counts @ expm(a * dt).T
            t = stop
            if passage:
                over = counts.sum(axis=1) > c["passage_capacity"]
                if over.any():
                    passages += int(over.sum())
                    counts[over] = (rng.binomial(counts[over].astype(np.int64), 1 / c["split_ratio"]).astype(float)
                                    if stochastic else counts[over] / c["split_ratio"])
            _record(rows, day + t, k, counts)
        day += step.days
    table = pd.DataFrame(rows)
    return EvolveResult(cell_line, tuple(constructs), protocol_name,
                        f"stochastic (tau-leaping, tau {tau_days} d, {reps} replicates, seed {seed})" if stochastic
                        else "deterministic (linear ODE, matrix exponential)", table, passages)


def _record(rows, day, step, counts) -> None:
    for r, row in enumerate(np.atleast_2d(counts)):
        total = row.sum()
        for s, n in zip(STATES, row, strict=True):
            rows.append({"day": round(float(day), 6), "step": step, "replicate": r, "state": s, "cells": float(n),
                         "fraction": float(n / total) if total > 0 else 0.0})


def _tau_leap(counts, rates, a, duration, tau, rng) -> np.ndarray:
    """Poisson numbers of divisions, deaths and per-division switches per tau step, all replicates at once."""
    b = np.array([r.division for r in rates])
    d = np.array([r.death for r in rates])
    switch = a.T.copy()  # switch[i, j]: per-cell flow i -> j (already times the division rate)
    np.fill_diagonal(switch, 0.0)
    steps = max(1, int(np.ceil(duration / tau - 1e-9)))
    h = duration / steps
    # Scale births and deaths so each step's mean is the exact exponential one, not Euler's
    # n (1 + (b - d) h): with death rates ~1/day under drug, Euler drifts ~0.2 % per step.
    net = (b - d) * h
    exact = np.where(np.abs(net) > 1e-12, np.expm1(net) / np.where(net == 0, 1, net), 1.0)
    n = counts.copy()
    for _ in range(steps):
        births = rng.poisson(b * exact * n * h)
        deaths = np.minimum(rng.poisson(d * exact * n * h), n + births)
        moves = rng.poisson(switch[None, :, :] * n[:, :, None] * h)  # (replicate, from, to)
        available = (n + births - deaths)[:, :, None]
        moves = np.minimum(moves, available)  # a cell moves at most once per step
        n = np.maximum(n + births - deaths - moves.sum(axis=2) + moves.sum(axis=1), 0.0)
    return n


def parental_fractions(cell_line: str, constructs: tuple[str, ...] = (), cells: float = 1e6) -> dict[str, float]:
    """A parental population expanded from a few cells to ``cells``: tolerant cells at their switching
    balance (entry / (entry + exit); Sharma 2010: ~0.3 %), resistant mutants at the Luria-Delbrueck mean
    fraction mu * ln(cells) (Luria & Delbrueck 1943 Genetics 28:491; equal fitness before the drug)."""
    c = constants()
    tolerant = c["tolerance_entry"] / (c["tolerance_entry"] + c["tolerance_exit"])
    mutant = c["resistance_mutation"] * np.log(max(cells, 2.0))
    return {"sensitive": (1 - tolerant) * (1 - mutant), "tolerant": tolerant * (1 - mutant),
            "resistant": (1 - tolerant) * mutant, "tolerant+resistant": tolerant * mutant}


def population_readouts(result: EvolveResult, drugs: tuple[tuple[str, str], ...] = ()) -> dict[str, float]:
    """What a lab measures on the derived population: RANK mRNA, NF-kB, p-HER2 (cell-weighted means) relative
    to the parental line's untreated cells, in the medium given by ``drugs``."""
    fractions = result.final_fractions()
    parental = state_rates(result.cell_line, result.constructs, "sensitive", ())
    per_state = {s: state_rates(result.cell_line, result.constructs, s, drugs) for s in STATES}
    names = {"rank_mrna": "RANK mRNA", "rank_protein": "RANK protein", "nfkb": "NF-kB activity",
             "p_her2": "p-HER2", "her2_total": "total HER2"}
    folds = {f"{label} fold": sum(fractions[s] * getattr(per_state[s], key) for s in STATES) / getattr(parental, key)
             for key, label in names.items()}
    return {**folds, **{f"fraction {s}": fractions[s] for s in STATES}}


def composition_figure(title: str, result: EvolveResult) -> dict:
    frac = result.table.groupby(["day", "state"])["cells"].mean().unstack()[list(STATES)]
    totals = frac.sum(axis=1)
    share = frac.div(totals.where(totals > 0, 1), axis=0)
    return {"title": title, "days": list(frac.index), "states": list(STATES),
            "fractions": {s: list(share[s]) for s in STATES}, "cells": list(totals.clip(lower=1e-3))}


def population_cck8(result: EvolveResult, drug: str = "lapatinib",
                    doses_uM: tuple[float, ...] = (0.0, 0.0156, 0.03125, 0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0,
                                                   16.0)) -> dict:
    """4-day CCK-8 on the derived population: each state's cells per dose, weighted by its fraction."""
    from her2sim.analysis import fit_4pl
    from her2sim.assays import cck8

    fractions = result.final_fractions()
    living = np.zeros(len(doses_uM))
    for state, f in fractions.items():
        if f <= 0:
            continue
        curve = cck8(result.cell_line, result.constructs, drug, doses_uM,
                     parameters=state_parameters(result.cell_line, result.constructs, state))
        living += f * np.asarray(curve.raw_cells)
    survival = living / living[0]
    ic50 = float(fit_4pl(list(doses_uM), list(survival)).ic50) if len(doses_uM) >= 4 else None
    return {"doses_uM": list(doses_uM), "relative_survival": [float(v) for v in survival],
            "ic50_uM": ic50, "absolute_ic50_uM": absolute_ic50(doses_uM, survival)}


def absolute_ic50(doses_uM, survival) -> float:
    """Dose at which relative survival crosses 0.5 (log-linear interpolation). If it never does,
    the highest dose tested: a lower bound, as a lab would report '> 16 uM'.

    A resistant population often plateaus above 50 %: its 4PL midpoint barely moves while
    the dose that halves it moves far, so resistance is compared on this one."""
    doses, surv = np.asarray(doses_uM, float), np.asarray(survival, float)
    for k in range(1, len(doses)):
        if surv[k] < 0.5 <= surv[k - 1]:
            if doses[k - 1] == 0:
                return float(doses[k])
            x0, x1 = np.log(doses[k - 1]), np.log(doses[k])
            return float(np.exp(x0 + (surv[k - 1] - 0.5) / (surv[k - 1] - surv[k]) * (x1 - x0)))
    return float(doses[-1]) if surv[-1] >= 0.5 else float(doses[1])


__all__ = ["STATES", "EvolveResult", "Step", "absolute_ic50", "composition_figure", "evolve", "generator",
           "load_protocol", "parental_fractions", "population_cck8", "population_readouts", "state_parameters",
           "state_rates", "window_means"]
