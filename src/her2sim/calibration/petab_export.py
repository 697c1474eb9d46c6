"""The seeds' cell-line data and the model as a PEtab problem (PEtab v1 + pyPESTO's
qualitative-data columns).

Design
- Protocols become SBML events. For every agent a protocol adds, the model gets
  ``t_add_<species>`` and ``dose_add_<species>`` parameters and an event
  ``<species> += dose`` when ``time > t_add``; serum starvation is ``serum = 0`` when
  ``time > t_serum_off``. The strict '>' makes an event at the condition's start fire on
  the first step: a trigger already true at t = 0 would never see its false->true edge.
  Conditions set those parameters, so multi-step protocols (starve, drug, ligand) fit
  PEtab v1's one-condition-per-simulation tables.
- Every simulation is pre-equilibrated in growth medium with the cell count held
  (``growth_on = 0``); the simulation condition re-initialises ``cells = 1`` and
  starts at the protocol's first event (PEtab time = her2sim time - protocol start).
- The data (``her2sim/data/cell_line_observations.tsv``) are ordinal: the seeds give
  directions ("undetectable", "higher", "kept"), so each blot or qPCR readout is an
  ordinal group (``measurementType = ordinal``, ``measurementCategory``; pyPESTO's
  optimal-scaling format) and the numbers in ``measurement`` are only placeholders.
- Estimated parameters are those whose source in parameters.tsv says ``calibrated:``,
  except the cell-fate module's: no cell number is observed in these data (those are
  set against the dose-response claims), so they are listed with ``estimate = 0``.
  Literature and assumed values stay fixed. Bounds: nominal x/ 10, on log10 scale.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import libsbml
import pandas as pd

from her2sim.engine import Protocol
from her2sim.engine.runner import READOUTS
from her2sim.errors import InputError
from her2sim.model import base_sbml, load_parameters
from her2sim.variants import canonical_names, overlay

NEVER = 1.0e12  # an event time that is never reached
PREEQ_PREFIX = "preeq__"


@dataclass(frozen=True)
class Observation:
    dataset: str
    provenance: str
    cell_line: str
    constructs: tuple[str, ...]
    protocol_text: str
    readout: str
    category: int

    @property
    def protocol(self) -> Protocol:
        return parse_protocol(self.protocol_text)


def parse_protocol(text: str) -> Protocol:
    """'starve 12h; 0h lapatinib 1uM; -2h RANKL 300ng/mL; read 2h10min' -> Protocol."""
    protocol = Protocol(name=text)
    for part in (p.strip() for p in text.split(";") if p.strip()):
        words = part.split()
        if words[0] == "starve" and len(words) == 2:
            protocol = protocol.starve(words[1])
        elif words[0] == "read" and len(words) >= 2:
            protocol = protocol.read(*words[1:])
        elif len(words) == 3:
            protocol = protocol.add(words[0], words[1], words[2])
        else:
            raise InputError(
                f"protocol step {part!r} is malformed; use 'starve 12h', 'TIME AGENT DOSE' or 'read TIME'"
            )
    return protocol


def observations() -> list[Observation]:
    text = resources.files("her2sim.data").joinpath("cell_line_observations.tsv").read_text()
    rows = [r for r in csv.DictReader((line for line in text.splitlines() if not line.startswith("#")),
                                      delimiter="\t")]
    result = []
    for row in rows:
        cons = tuple(c for c in row["constructs"].split("+") if c)
        line, cons = canonical_names(row["cell_line"], cons)
        if row["readout"] not in READOUTS:
            raise InputError(f"observation readout {row['readout']!r} is not one of {list(READOUTS)}")
        result.append(Observation(row["dataset"], row["provenance"], line, cons, row["protocol"], row["readout"],
                                  int(row["category"])))
    return result


def _sid(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _preeq_id(line: str, cons: tuple[str, ...]) -> str:
    return PREEQ_PREFIX + _sid(f"{line}__{'_'.join(cons) or 'none'}")


def _condition_id(line: str, cons: tuple[str, ...], protocol_text: str) -> str:
    return _sid(f"{line}__{'_'.join(cons) or 'none'}__{protocol_text}")[:200]


def protocol_model(protocols: list[Protocol]) -> libsbml.SBMLDocument:
    """The base model plus dosing and starvation events for the agents these protocols use."""
    document = libsbml.readSBMLFromString(base_sbml())
    model = document.getModel()
    species = sorted({e.species for p in protocols for e in p.events if e.action == "add"})
    for sid in species:
        for prefix, value, unit in (("t_add_", NEVER, "minute"), ("dose_add_", 0.0, "nM")):
            parameter = model.createParameter()
            parameter.setId(prefix + sid)
            parameter.setValue(value)
            parameter.setUnits(unit)
            parameter.setConstant(True)
        _event(model, f"add_{sid}", f"time > t_add_{sid}", sid, f"{sid} + dose_add_{sid}")
    parameter = model.createParameter()
    parameter.setId("t_serum_off")
    parameter.setValue(NEVER)
    parameter.setUnits("minute")
    parameter.setConstant(True)
    _event(model, "serum_off", "time > t_serum_off", "serum", "0")
    return document


def _event(model, event_id: str, trigger: str, target: str, value: str) -> None:
    event = model.createEvent()
    event.setId(event_id)
    event.setUseValuesFromTriggerTime(True)
    trig = event.createTrigger()
    trig.setInitialValue(False)
    trig.setPersistent(True)
    trig.setMath(libsbml.parseL3Formula(trigger))
    assignment = event.createEventAssignment()
    assignment.setVariable(target)
    assignment.setMath(libsbml.parseL3Formula(value))


def _protocol_columns(protocol: Protocol, agent_species: list[str]) -> dict[str, float]:
    if any(e.action in ("wash", "remove") for e in protocol.events):
        raise InputError(f"protocol {protocol.name!r} has washes, which the PEtab export does not support yet")
    columns = {f"t_add_{s}": NEVER for s in agent_species}
    columns |= {f"dose_add_{s}": 0.0 for s in agent_species}
    columns["t_serum_off"] = NEVER
    start = protocol.start
    seen = set()
    for event in protocol.events:
        if event.action == "add":
            if event.species in seen:
                raise InputError(f"protocol {protocol.name!r} adds {event.agent} twice; the export allows one addition")
            seen.add(event.species)
            columns[f"t_add_{event.species}"] = event.time - start
            columns[f"dose_add_{event.species}"] = event.concentration_nM
        elif event.action == "serum" and event.serum == 0.0:
            columns["t_serum_off"] = event.time - start
    return columns


def cell_fate_parameters() -> set[str]:
    """Parameters named in the cell-fate module (division and death from the network's outputs)."""
    text = resources.files("her2sim.model").joinpath("modules/80_cell_fate.ant").read_text()
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def ordinal_groups(obs: list[Observation]) -> list[Observation]:
    """Observations ranked 1..K within each (dataset, readout) group, as pyPESTO's optimal scaling needs.

    The data file may skip a rank (a 'strong' band with no 'weak' one in that blot); a group with
    a single category (e.g. 'unchanged') orders nothing and is left out of the problem.
    """
    by_group: dict[tuple[str, str], set[int]] = {}
    for o in obs:
        by_group.setdefault((o.dataset, o.readout), set()).add(o.category)
    dense = {group: {c: i + 1 for i, c in enumerate(sorted(cats))} for group, cats in by_group.items()}
    return [replace(o, category=dense[(o.dataset, o.readout)][o.category])
            for o in obs if len(by_group[(o.dataset, o.readout)]) > 1]


def build_tables(obs: list[Observation] | None = None) -> dict:
    """All PEtab tables (pandas) and the SBML document."""
    obs = ordinal_groups(obs if obs is not None else observations())
    protocols = {o.protocol_text: o.protocol for o in obs}
    document = protocol_model(list(protocols.values()))
    agent_species = sorted({e.species for p in protocols.values() for e in p.events if e.action == "add"})
    variants = sorted({(o.cell_line, o.constructs) for o in obs})
    overlay_keys = sorted({k for line, cons in variants for k in overlay(line, cons)})
    defaults = load_parameters()

    def variant_columns(line, cons):
        values = overlay(line, cons)
        return {k: values.get(k, defaults[k].value) for k in overlay_keys}

    conditions = []
    for line, cons in variants:
        row = {"conditionId": _preeq_id(line, cons), "growth_on": 0.0,
               "serum": 1.0, "cells": 1.0}
        row |= variant_columns(line, cons) | _protocol_columns(Protocol(), agent_species)
        conditions.append(row)
    sim_ids = {}
    for o in obs:
        key = (o.cell_line, o.constructs, o.protocol_text)
        if key in sim_ids:
            continue
        sim_ids[key] = _condition_id(*key)
        row = {"conditionId": sim_ids[key], "growth_on": 1.0, "serum": 1.0, "cells": 1.0}
        row |= variant_columns(o.cell_line, o.constructs) | _protocol_columns(o.protocol, agent_species)
        conditions.append(row)
    condition_df = pd.DataFrame(conditions).set_index("conditionId")

    groups = sorted({(o.dataset, o.readout) for o in obs})
    observable_df = pd.DataFrame(
        [{"observableId": _sid(f"{dataset}__{readout}"), "observableName": f"{readout} ({dataset})",
          "observableFormula": READOUTS[readout], "noiseFormula": "1"} for dataset, readout in groups]
    ).set_index("observableId")

    measurements = []
    for o in obs:
        protocol = o.protocol
        for t in protocol.readouts:
            measurements.append({
                "observableId": _sid(f"{o.dataset}__{o.readout}"),
                "preequilibrationConditionId": _preeq_id(o.cell_line, o.constructs),
                "simulationConditionId": sim_ids[(o.cell_line, o.constructs, o.protocol_text)],
                "time": t - protocol.start,
                "measurement": float(o.category),
                "measurementType": "ordinal",
                "measurementCategory": o.category,
                "datasetId": o.dataset,
                "provenance": o.provenance,
            })
    measurement_df = pd.DataFrame(measurements)

    condition_set = set(condition_df.columns)
    calibrated = [p for p in defaults.values() if p.source.startswith("calibrated") and p.name not in condition_set]
    fate = cell_fate_parameters()
    parameter_df = pd.DataFrame(
        [{"parameterId": p.name, "parameterName": p.description, "parameterScale": "log10",
          "lowerBound": p.value / 10 if p.value > 0 else 1e-6, "upperBound": p.value * 10 if p.value > 0 else 1.0,
          "nominalValue": p.value, "estimate": int(p.name not in fate), "source": p.source} for p in calibrated]
    ).set_index("parameterId")
    return {"document": document, "condition_df": condition_df, "observable_df": observable_df,
            "measurement_df": measurement_df, "parameter_df": parameter_df}


def write_petab(directory: Path) -> Path:
    """Write model.xml, the four tables and problem.yaml; return the YAML path."""
    tables = build_tables()
    directory.mkdir(parents=True, exist_ok=True)
    libsbml.writeSBMLToFile(tables["document"], str(directory / "model.xml"))
    tables["condition_df"].to_csv(directory / "conditions.tsv", sep="\t")
    tables["observable_df"].to_csv(directory / "observables.tsv", sep="\t")
    tables["measurement_df"].to_csv(directory / "measurements.tsv", sep="\t", index=False)
    tables["parameter_df"].to_csv(directory / "parameters.tsv", sep="\t")
    yaml_path = directory / "problem.yaml"
    yaml_path.write_text(
        "format_version: 1\n"
        "parameter_file: parameters.tsv\n"
        "problems:\n"
        "  - sbml_files: [model.xml]\n"
        "    condition_files: [conditions.tsv]\n"
        "    measurement_files: [measurements.tsv]\n"
        "    observable_files: [observables.tsv]\n"
    )
    return yaml_path


def lint(yaml_path: Path) -> bool:
    """True when petab's linter finds no error."""
    import petab.v1 as petab

    problem = petab.Problem.from_yaml(str(yaml_path))
    return not petab.lint_problem(problem)


__all__ = ["Observation", "build_tables", "cell_fate_parameters", "lint", "observations", "ordinal_groups",
           "parse_protocol", "write_petab"]
