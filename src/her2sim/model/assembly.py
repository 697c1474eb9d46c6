"""Assemble the Antimony mechanism modules into one SBML Level 3 model.

The modules in ``modules/`` describe structure (species, reactions, rules,
annotations); ``parameters.tsv`` holds every constant's value, unit and source.
Assembly joins the two with libSBML so that the exported file carries units on
every parameter and a model-wide unit system (nM, minutes).
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import antimony
import libsbml

from her2sim.errors import InputError, ModelError

MODEL_ID = "her2sim"
PROTOCOL_SWITCHES = ("serum", "growth_on")
MODULE_DIR = "modules"

# unit strings allowed in parameters.tsv -> (SBML unit id, [(kind, exponent, scale, multiplier)])
UNIT_DEFINITIONS: dict[str, tuple[str, list[tuple[int, float, int, float]]]] = {
    "nM": ("nM", [(libsbml.UNIT_KIND_MOLE, 1, -9, 1), (libsbml.UNIT_KIND_LITRE, -1, 0, 1)]),
    "1/min": ("per_min", [(libsbml.UNIT_KIND_SECOND, -1, 0, 60)]),
    "nM/min": (
        "nM_per_min",
        [
            (libsbml.UNIT_KIND_MOLE, 1, -9, 1),
            (libsbml.UNIT_KIND_LITRE, -1, 0, 1),
            (libsbml.UNIT_KIND_SECOND, -1, 0, 60),
        ],
    ),
    "1/(nM*min)": (
        "per_nM_per_min",
        [
            (libsbml.UNIT_KIND_MOLE, -1, -9, 1),
            (libsbml.UNIT_KIND_LITRE, 1, 0, 1),
            (libsbml.UNIT_KIND_SECOND, -1, 0, 60),
        ],
    ),
    "1/nM": ("per_nM", [(libsbml.UNIT_KIND_MOLE, -1, -9, 1), (libsbml.UNIT_KIND_LITRE, 1, 0, 1)]),
    "dimensionless": ("dimensionless", []),
}
EXTRA_UNITS = {
    "minute": [(libsbml.UNIT_KIND_SECOND, 1, 0, 60)],
    "nmole": [(libsbml.UNIT_KIND_MOLE, 1, -9, 1)],
}


@dataclass(frozen=True)
class Parameter:
    name: str
    value: float
    unit: str
    source: str
    description: str


def _package_file(*parts: str) -> Path:
    return Path(str(resources.files("her2sim.model").joinpath(*parts)))


def checked_values(values: dict[str, float], where: str = "") -> dict[str, float]:
    """``values`` as floats, if every name is a model parameter and every value finite and >= 0."""
    suffix = f" for {where}" if where else ""
    unknown = sorted(set(values) - set(load_parameters()))
    if unknown:
        raise InputError(f"unknown parameters {', '.join(unknown)}{suffix}; see `her2sim info` for the list")
    return finite_non_negative(values, "parameter", suffix)


def finite_non_negative(values: dict[str, float], label: str, suffix: str = "") -> dict[str, float]:
    """``values`` as floats, if each is a number, finite and >= 0 (what-ifs of any table)."""
    try:
        out = {k: float(v) for k, v in values.items()}
    except (TypeError, ValueError):
        raise InputError(f"{label} values must be numbers; got {values}{suffix}") from None
    bad = sorted(k for k, v in out.items() if not (math.isfinite(v) and v >= 0))
    if bad:
        raise InputError(f"{label} values must be finite and >= 0; got {', '.join(bad)}{suffix}")
    return out


@functools.cache
def load_parameters() -> dict[str, Parameter]:
    """Read parameters.tsv; every row must have a value, a known unit and a source."""
    path = _package_file("parameters.tsv")
    params: dict[str, Parameter] = {}
    with open(path, newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            name = (row.get("name") or "").strip()
            try:
                value = float(row["value"])
            except (TypeError, ValueError):
                raise ModelError(f"parameters.tsv line {line_no}: value of {name!r} is not a number") from None
            unit = (row.get("unit") or "").strip()
            source = (row.get("source") or "").strip()
            if unit not in UNIT_DEFINITIONS:
                raise ModelError(
                    f"parameters.tsv line {line_no}: unit {unit!r} of {name!r} is not one of {sorted(UNIT_DEFINITIONS)}"
                )
            if not source:
                raise ModelError(f"parameters.tsv line {line_no}: {name!r} has no source")
            if name in params:
                raise ModelError(f"parameters.tsv line {line_no}: {name!r} is defined twice")
            params[name] = Parameter(name, value, unit, source, (row.get("description") or "").strip())
    return params


def module_paths() -> list[Path]:
    return sorted(_package_file(MODULE_DIR).glob("*.ant"))


def antimony_source() -> str:
    """The whole model as one Antimony text (modules concatenated in order)."""
    body = "\n".join(path.read_text() for path in module_paths())
    return f"model {MODEL_ID}()\n{body}\nend\n"


def _add_unit(model: libsbml.Model, unit_id: str, parts) -> None:
    if unit_id == "dimensionless" or model.getUnitDefinition(unit_id) is not None:
        return
    definition = model.createUnitDefinition()
    definition.setId(unit_id)
    for kind, exponent, scale, multiplier in parts:
        unit = definition.createUnit()
        unit.setKind(kind)
        unit.setExponent(exponent)
        unit.setScale(scale)
        unit.setMultiplier(multiplier)


@functools.cache
def base_sbml() -> str:
    """The assembled SBML L3V2 text with default (reference) parameter values."""
    antimony.clearPreviousLoads()
    if antimony.loadAntimonyString(antimony_source()) < 0:
        raise ModelError(f"Antimony could not compile the model: {antimony.getLastError().strip()}")
    document = libsbml.readSBMLFromString(antimony.getSBMLString(MODEL_ID))
    model = document.getModel()
    params = load_parameters()

    for unit_id, parts in UNIT_DEFINITIONS.values():
        _add_unit(model, unit_id, parts)
    for unit_id, parts in EXTRA_UNITS.items():
        _add_unit(model, unit_id, parts)
    model.setTimeUnits("minute")
    model.setSubstanceUnits("nmole")
    model.setExtentUnits("nmole")
    model.setVolumeUnits("litre")
    for i in range(model.getNumCompartments()):
        model.getCompartment(i).setUnits("litre")
    for i in range(model.getNumSpecies()):
        model.getSpecies(i).setSubstanceUnits("nmole")

    ruled = {model.getRule(i).getVariable() for i in range(model.getNumRules())}
    constants = [model.getParameter(i) for i in range(model.getNumParameters())]
    missing = [p.getId() for p in constants if p.getId() not in ruled and p.getId() not in params]
    if missing:
        raise ModelError(f"parameters missing from parameters.tsv: {', '.join(sorted(missing))}")
    model_ids = {p.getId() for p in constants}
    unused = sorted(set(params) - model_ids)
    if unused:
        raise ModelError(f"parameters.tsv rows not used by any module: {', '.join(unused)}")
    for parameter in constants:
        pid = parameter.getId()
        if pid in ruled:
            parameter.setConstant(False)
            continue
        entry = params[pid]
        parameter.setValue(entry.value)
        parameter.setUnits(UNIT_DEFINITIONS[entry.unit][0])
        # serum and growth_on are switched during a simulation (protocol events, pre-equilibration)
        parameter.setConstant(pid not in PROTOCOL_SWITCHES)
    return libsbml.writeSBMLToString(document)


def validate_sbml(text: str) -> list[str]:
    """libSBML consistency check; returns messages of severity error or fatal."""
    document = libsbml.readSBMLFromString(text)
    document.checkConsistency()
    problems = []
    for i in range(document.getNumErrors()):
        error = document.getError(i)
        if error.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            problems.append(f"{error.getErrorId()}: {error.getShortMessage()} ({error.getMessage().strip()[:200]})")
    return problems
