"""Simulate a cell line (+ constructs) under a protocol with libroadrunner.

One RoadRunner instance per process is compiled from the assembled SBML; a
variant is a set of parameter values applied to it. Before a protocol starts,
cells are equilibrated in growth medium (``PREEQUILIBRATION_MIN``) and the cell
count is reset to 1, so every protocol starts from the line's resting state.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterable, Sequence

import libsbml
import numpy as np
import pandas as pd
import roadrunner

from her2sim.engine.protocol import Protocol
from her2sim.errors import InputError
from her2sim.model import base_sbml, checked_values, finite_non_negative
from her2sim.variants import canonical_names, line_value_changes, overlay, set_line_value_changes

roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)  # CVODE restart notes after events are expected

# Pre-equilibration: growth medium with the cell count held (growth_on = 0) for 1e6 min, far
# beyond the slowest turnover (PTEN, MUC4, medium IL-6: ~1 day), i.e. the resting steady state.
PREEQUILIBRATION_MIN = 1.0e6
RELATIVE_TOLERANCE = 1e-10
ABSOLUTE_TOLERANCE = 1e-10
SOLVER_NOISE = 1e-9  # nM-eq; below anything a blot or qPCR could resolve
NO_MOLECULE = 1e-100  # nM; a resting level below this is set to 0 (one molecule per cell is ~1e-3 nM)

READOUTS = {
    "p-HER2": "obs_pHER2",
    "total HER2": "obs_HER2_total",
    "p-EGFR": "obs_pEGFR",
    "p-HER3": "obs_pHER3",
    "p-ERK": "obs_pERK",
    "p-AKT": "obs_pAKT",
    "p-p65": "obs_pp65",
    "p-IkBa": "obs_pIkBa",
    "nuclear p65": "obs_nuclear_p65",
    "total RANK": "obs_RANK_protein",
    "RANK mRNA": "obs_RANK_mRNA",
    "BIRC3 mRNA": "obs_BIRC3_mRNA",
    "ICAM1 mRNA": "obs_ICAM1_mRNA",
    "TNFa mRNA": "obs_TNF_mRNA",
    "IL8 mRNA": "obs_IL8_mRNA",
    "IL6 mRNA": "obs_IL6_mRNA",
    "p-STAT3": "obs_pSTAT3",
    "p27 protein": "obs_p27",
    "active PTEN": "obs_PTEN_active",
    "p-Src": "obs_pSrc",
    "total p95HER2": "obs_p95HER2",
    "Notch NICD": "obs_NICD",
    "ER activity": "obs_ER_activity",
    "RANK-HER2 complex": "obs_RANK_HER2_complex",
    "living cells": "obs_cells",
}


def configure_integrator(rr: roadrunner.RoadRunner) -> None:
    rr.integrator.relative_tolerance = RELATIVE_TOLERANCE
    rr.integrator.absolute_tolerance = ABSOLUTE_TOLERANCE
    rr.integrator.maximum_num_steps = 200_000


@functools.cache
def _runner() -> roadrunner.RoadRunner:
    rr = roadrunner.RoadRunner(base_sbml())
    configure_integrator(rr)
    return rr


def _apply_parameters(rr: roadrunner.RoadRunner, params: dict[str, float]) -> None:
    rr.resetToOrigin()
    configure_integrator(rr)
    for name, value in params.items():
        rr.setValue(name, float(value))
    rr.reset()  # re-evaluate initial assignments with the overlay's values


@functools.lru_cache(maxsize=256)
def _resting_state(params_key: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    """Species concentrations after pre-equilibration in growth medium; cells reset to 1."""
    rr = _runner()
    _apply_parameters(rr, dict(params_key))
    rr.setValue("growth_on", 0.0)
    rr.simulate(0.0, PREEQUILIBRATION_MIN, 2)
    state = {sid: float(rr.getValue(sid)) for sid in rr.model.getFloatingSpeciesIds()}
    # a species decayed to a subnormal float (1e-321 nM: HER2d16 in a line without it) would start the next
    # run with a zero CVODE error weight (CV_ILL_INPUT); at that level it is no molecule at all
    state = {k: 0.0 if abs(v) < NO_MOLECULE else v for k, v in state.items()}
    state["cells"] = 1.0
    bad = [k for k, v in state.items() if not math.isfinite(v)]
    if bad:
        raise InputError(f"pre-equilibration gave non-finite values for {', '.join(bad[:5])}")
    return tuple(sorted(state.items()))


_DEFAULT_OVERRIDES: dict[str, float] = {}
_DEPENDENT_CACHES: list = []


def result_cache(fn):
    """functools.cache for results computed from simulations: cleared when the defaults change."""
    cached = functools.cache(fn)
    _DEPENDENT_CACHES.append(cached)
    return cached


def _clear_dependent_caches() -> None:
    for cache in _DEPENDENT_CACHES:
        cache.cache_clear()


def parameter_overrides() -> dict[str, float]:
    """The model-wide parameter values in force instead of the defaults (inside ``parameter_values``)."""
    return dict(_DEFAULT_OVERRIDES)


@contextlib.contextmanager
def parameter_values(values: dict[str, float]):
    """Run everything inside with these model-wide parameter values (an ensemble member, a fit).

    Cell-line and construct overlays still apply on top: a line's own value wins.
    """
    checked = checked_values(values)
    previous = dict(_DEFAULT_OVERRIDES)
    _DEFAULT_OVERRIDES.clear()
    _DEFAULT_OVERRIDES.update(checked)
    _clear_dependent_caches()
    try:
        yield
    finally:
        _DEFAULT_OVERRIDES.clear()
        _DEFAULT_OVERRIDES.update(previous)
        _clear_dependent_caches()


@contextlib.contextmanager
def cell_line_values(changes: dict[str, dict[str, float]]):
    """Run everything inside with these values in cell lines' own overlays, e.g.
    ``{"SKBR3": {"k_proliferation_max": 0.0008}}``; a derivative (SKLR) inherits its parent's change
    unless it sets the parameter itself. For what-ifs on one line, where ``parameter_values`` would be
    overridden by the line's own value."""
    previous = line_value_changes()
    set_line_value_changes(changes)
    _clear_dependent_caches()
    try:
        yield
    finally:
        set_line_value_changes(previous)
        _clear_dependent_caches()


class ConstantValues:
    """What-if values for a table of named constants outside the signalling model (the tumour layer's
    ``tumour.toml``, the population layer's ``parameters.toml``).

    ``current()`` is what is in force; ``values({...})`` is a context manager like ``parameter_values``.
    The trial engine hands ``current()`` to its Dask workers and hashes it into the rate cache's key, so
    a what-if reaches every process and never reads rates cached under other values."""

    def __init__(self, label: str, names, validate=None):
        self.label = label
        self._names = names  # callable: the table's names (read lazily, after import)
        self._validate = validate  # callable(changes in force): raises InputError on values the table cannot take
        self._changes: dict[str, float] = {}

    def current(self) -> dict[str, float]:
        return dict(self._changes)

    def names(self) -> set[str]:
        return set(self._names())

    def checked(self, changes: dict[str, float]) -> dict[str, float]:
        allowed = self.names()
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise InputError(f"unknown {self.label} {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
        checked = finite_non_negative(changes, self.label)
        if self._validate:
            self._validate({**self._changes, **checked})
        return checked

    @contextlib.contextmanager
    def values(self, changes: dict[str, float]):
        checked = self.checked(changes)
        previous = self._changes
        self._changes = {**previous, **checked}
        _clear_dependent_caches()
        try:
            yield
        finally:
            self._changes = previous
            _clear_dependent_caches()


def variant_parameters(cell_line: str, constructs: Sequence[str] = (), extra: dict[str, float] | None = None) -> dict:
    params = {**_DEFAULT_OVERRIDES, **overlay(cell_line, tuple(constructs))}
    if extra:
        params.update(checked_values(extra))
    return params


def resting_state(cell_line: str, constructs: Sequence[str] = (), extra: dict[str, float] | None = None) -> dict:
    params = variant_parameters(cell_line, constructs, extra)
    return dict(_resting_state(tuple(sorted(params.items()))))


def _prepare(params: dict[str, float]) -> roadrunner.RoadRunner:
    rr = _runner()
    state = _resting_state(tuple(sorted(params.items())))
    _apply_parameters(rr, params)
    for sid, value in state:
        rr.setValue(sid, value)
    rr.setValue("serum", 1.0)
    rr.setValue("growth_on", 1.0)
    return rr


def _apply_event(rr: roadrunner.RoadRunner, event, added: set[str]) -> None:
    if event.action == "add":
        rr.setValue(event.species, rr.getValue(event.species) + event.concentration_nM)
        added.add(event.species)
    elif event.action == "remove":
        rr.setValue(event.species, 0.0)
    elif event.action == "wash":
        for species in added:
            rr.setValue(species, 0.0)
        for complex_species in ("RANKL_OPG", "RANKL_denosumab"):
            rr.setValue(complex_species, 0.0)
        added.clear()
    elif event.action == "serum":
        rr.setValue("serum", float(event.serum))


_RECORDERS: list[list] = []


class record_simulations:
    """Context manager collecting (parameters, protocol, selections) of every protocol run (benchmarks)."""

    def __enter__(self) -> list:
        self.calls: list = []
        _RECORDERS.append(self.calls)
        return self.calls

    def __exit__(self, *exc) -> None:
        _RECORDERS.remove(self.calls)


def clear_caches() -> None:
    """Forget pre-equilibrated resting states (benchmarks measure cold runs)."""
    _resting_state.cache_clear()


def run_protocol(
    params: dict[str, float],
    protocol: Protocol,
    selections: Iterable[str],
    sample_times: Iterable[float] = (),
) -> pd.DataFrame:
    """Simulate and return a wide table: one row per sample time (protocol minutes)."""
    selections = list(selections)
    for calls in _RECORDERS:
        calls.append((dict(params), protocol, tuple(selections), tuple(sample_times)))
    rr = _prepare(params)
    times = sorted(set(protocol.readouts) | set(sample_times))
    if not times:
        raise InputError("the protocol has no readout time; add one, e.g. --read 2h10min")
    breakpoints = sorted({e.time for e in protocol.events} | set(times))
    pending = list(protocol.events)
    added: set[str] = set()
    clock = protocol.start
    rows = []
    for point in breakpoints:
        if point > clock:
            # the model is autonomous: each segment runs on its own clock from 0, which keeps
            # CVODE's first step after an event well above t*eps
            rr.simulate(0.0, point - clock, 2)
            clock = point
        while pending and pending[0].time <= clock:
            _apply_event(rr, pending.pop(0), added)
        if point in times:
            rows.append([point, *(float(rr.getValue(s)) for s in selections)])
    frame = pd.DataFrame(rows, columns=["time", *selections])
    # values within SOLVER_NOISE of zero (far below ABSOLUTE_TOLERANCE's scale of concern) are exactly zero
    values = frame[selections].to_numpy(copy=True)
    values[np.abs(values) < SOLVER_NOISE] = 0.0
    frame[selections] = values
    if not np.isfinite(frame[selections].to_numpy()).all():
        raise InputError("the simulation produced non-finite values; check doses and parameters")
    return frame


def simulate(
    cell_line: str,
    constructs: Sequence[str] = (),
    protocol: Protocol | None = None,
    observables: Sequence[str] | None = None,
    parameters: dict[str, float] | None = None,
    condition: str | None = None,
) -> pd.DataFrame:
    """Simulate and return a tidy table: condition, cell_line, constructs, observable, time (min), value.

    ``observables`` are readout names (``READOUTS``) or model ids; default: all readouts.
    """
    line, construct_names = canonical_names(cell_line, constructs)
    protocol = protocol or Protocol().read("0min")
    names = list(observables) if observables is not None else list(READOUTS)
    ids = [_observable_id(name) for name in names]
    params = variant_parameters(line, construct_names, parameters)
    wide = run_protocol(params, protocol, ids)
    label = condition or protocol.name
    tidy = wide.melt(id_vars="time", var_name="id", value_name="value")
    tidy["observable"] = tidy["id"].map(dict(zip(ids, names, strict=True)))
    tidy["condition"] = label
    tidy["cell_line"] = line
    tidy["constructs"] = "+".join(construct_names)
    return tidy[["condition", "cell_line", "constructs", "observable", "time", "value"]]


def _observable_id(name: str) -> str:
    if name in READOUTS:
        return READOUTS[name]
    known = set(_runner().model.getFloatingSpeciesIds()) | set(_runner().model.getGlobalParameterIds())
    if name in known:
        return name
    raise InputError(f"unknown observable {name!r}; allowed: {', '.join(READOUTS)} or any model species id")


def variant_sbml(cell_line: str, constructs: Sequence[str] = (), rested: bool = True) -> str:
    """SBML for one variant: overlay values written in; with ``rested`` the initial
    state is the pre-equilibrated resting state (so a plain simulator starts where
    her2sim's protocols start)."""
    line, construct_names = canonical_names(cell_line, constructs)
    params = variant_parameters(line, construct_names)
    document = libsbml.readSBMLFromString(base_sbml())
    model = document.getModel()
    for name, value in params.items():
        model.getParameter(name).setValue(float(value))
    if rested:
        state = dict(_resting_state(tuple(sorted(params.items()))))
        for sid, value in state.items():
            species = model.getSpecies(sid)
            model.removeInitialAssignment(sid)
            species.setInitialConcentration(value)
    model.setName(f"her2sim {line}" + (f" + {' + '.join(construct_names)}" if construct_names else ""))
    return libsbml.writeSBMLToString(document)
