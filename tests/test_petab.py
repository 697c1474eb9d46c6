"""`her2sim export petab`: a lint-clean PEtab problem that reproduces her2sim's simulations.

The reference side reloads the problem with `petab` and simulates it with plain
libroadrunner following PEtab semantics (condition parameters, pre-equilibration,
re-initialised species, SBML events), using nothing but the exported files.
"""

import math

import numpy as np
import petab.v1 as petab
import pytest
import roadrunner

from her2sim.calibration.petab_export import (
    _condition_id,
    _sid,
    cell_fate_parameters,
    observations,
    ordinal_groups,
)
from her2sim.cli import main
from her2sim.engine import simulate
from her2sim.engine.runner import READOUTS

SPECIES_COLUMNS = ("cells",)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    directory = tmp_path_factory.mktemp("petab")
    assert main(["export", "petab", str(directory)]) == 0
    return directory


def test_lints_clean(exported):
    problem = petab.Problem.from_yaml(str(exported / "problem.yaml"))
    assert not petab.lint_problem(problem)
    assert set(problem.measurement_df["measurementType"]) == {"ordinal"}
    assert problem.measurement_df["provenance"].str.contains("seed 000").all()


def _petab_simulate(directory, problem):
    rr = roadrunner.RoadRunner(str(directory / "model.xml"))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-10
    conditions = problem.condition_df
    values = {}
    pairs = problem.measurement_df.groupby(["preequilibrationConditionId", "simulationConditionId"])
    for (pre, sim), rows in pairs:
        rr.resetAll()
        for column, value in conditions.loc[pre].items():
            if column not in SPECIES_COLUMNS:
                rr.setValue(column, float(value))
        rr.reset()  # initial assignments see the condition's parameters
        rr.simulate(0, 1.0e6, 2)  # pre-equilibration (growth_on = 0)
        for column, value in conditions.loc[sim].items():
            rr.setValue(column, float(value))  # parameters and re-initialised species
        formulas = problem.observable_df["observableFormula"]
        clock = 0.0
        for time in sorted(set(rows["time"])):
            if time > clock:
                rr.simulate(clock, time, 2)
                clock = time
            for obs_id in set(rows[rows["time"] == time]["observableId"]):
                values[(sim, obs_id, time)] = rr.getValue(formulas[obs_id])
    return values


def test_reloaded_problem_reproduces_her2sim(exported):
    problem = petab.Problem.from_yaml(str(exported / "problem.yaml"))
    reference = _petab_simulate(exported, problem)
    checked = 0
    for obs in ordinal_groups(observations()):  # what the problem holds
        protocol = obs.protocol
        ours = simulate(obs.cell_line, obs.constructs, protocol, [obs.readout])
        sim_id = _condition_id(obs.cell_line, obs.constructs, obs.protocol_text)
        obs_id = _sid(f"{obs.dataset}__{obs.readout}")
        for t in protocol.readouts:
            mine = float(ours[ours["time"] == t]["value"].iloc[0])
            theirs = reference[(sim_id, obs_id, t - protocol.start)]
            assert math.isclose(mine, theirs, rel_tol=1e-6, abs_tol=1e-9), (obs, mine, theirs)
            checked += 1
    assert checked == len(problem.measurement_df) > 50


def test_estimated_parameters_are_the_calibrated_ones(exported):
    problem = petab.Problem.from_yaml(str(exported / "problem.yaml"))
    table = problem.parameter_df
    assert table["source"].str.startswith("calibrated").all()
    # cell-fate parameters act only on cell number, which these data never observe
    fixed = set(table.index[table["estimate"] == 0])
    assert fixed == set(table.index) & cell_fate_parameters()
    assert {"k_TRAF6_act", "FOXO_RANK_induction"} <= set(table.index[table["estimate"] == 1])
    assert np.all(problem.parameter_df["lowerBound"] < problem.parameter_df["nominalValue"])


def test_export_petab_to_unwritable_dir_is_one_line(capsys):
    assert main(["export", "petab", "/proc/her2sim-petab"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_ordinal_groups_are_ranked_densely_and_informative():
    for group in {(o.dataset, o.readout) for o in ordinal_groups(observations())}:
        cats = sorted({o.category for o in ordinal_groups(observations()) if (o.dataset, o.readout) == group})
        assert cats == list(range(1, len(cats) + 1)) and len(cats) > 1, group


def test_readouts_in_data_are_model_readouts():
    assert {o.readout for o in observations()} <= set(READOUTS)
