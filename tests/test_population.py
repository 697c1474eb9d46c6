"""Population layer: emergence of resistance, agreement of the two solvers, bad input."""

import json

import numpy as np
import pytest

from her2sim.cli import main
from her2sim.population import STATES, Step, evolve, load_protocol, population_cck8, population_readouts, state_rates
from her2sim.population.dynamics import absolute_ic50, generator

LAPATINIB_LOW = (("lapatinib", "0.05uM"),)


def test_state_rates_follow_the_drug():
    free = state_rates("SKBR3", (), "sensitive", ())
    drugged = state_rates("SKBR3", (), "sensitive", (("lapatinib", "1uM"),))
    assert drugged.death > 5 * free.death and drugged.division < 0.2 * free.division
    # the tolerant state survives lapatinib better; the resistant one better still at 1 uM
    tolerant = state_rates("SKBR3", (), "tolerant", (("lapatinib", "1uM"),))
    both = state_rates("SKBR3", (), "tolerant+resistant", (("lapatinib", "1uM"),))
    assert tolerant.nfkb > 2 * drugged.nfkb
    assert both.division - both.death > drugged.division - drugged.death


def test_generator_conserves_cells_without_division_or_death():
    rates = [state_rates("SKBR3", (), s, ()) for s in STATES]
    a = generator(rates)
    # columns: net growth b - d of each state; switching only moves cells
    np.testing.assert_allclose(a.sum(axis=0), [r.division - r.death for r in rates], rtol=1e-12, atol=1e-15)


def test_emergent_sklr_has_high_rank_and_is_resistant_without_an_overlay():
    name, steps = load_protocol("chronic-lapatinib")
    result = evolve("SKBR3", steps, protocol_name=name, initial_cells=1e6)
    readouts = population_readouts(result)
    assert readouts["RANK mRNA fold"] >= 2.0
    parental = population_cck8(evolve("SKBR3", [Step(1e-3)], initial_cells=1e6), "lapatinib")
    derived = population_cck8(result, "lapatinib")
    assert derived["absolute_ic50_uM"] >= 5 * parental["absolute_ic50_uM"]
    assert absolute_ic50([0, 1, 2], [1.0, 0.6, 0.4]) == pytest.approx(np.exp(np.log(1) + 0.1 / 0.2 * np.log(2)))


@pytest.mark.parametrize("line", ["SKBR3", "BT474"])
def test_resistance_emerges_from_the_drug_not_from_passaging(line):
    """Negative control for the emergent lines: the same 24 weeks with no drug leave the population parental.
    Without neutral drug-free cycling, tolerant cells (NF-kB-driven division) outgrew sensitive ones and drug-free
    BT474 ended 80 % tolerant with 8x RANK, as much as under trastuzumab."""
    drug_free = evolve(line, [Step(24 * 7)], initial_cells=1e6)
    readouts = population_readouts(drug_free)
    assert readouts["fraction sensitive"] > 0.99
    assert readouts["RANK mRNA fold"] < 1.1 and readouts["NF-kB activity fold"] < 1.1
    for state in STATES[1:]:
        free, sensitive = state_rates(line, (), state, ()), state_rates(line, (), "sensitive", ())
        assert free.division - free.death <= sensitive.division - sensitive.death + 1e-9, state


def test_stochastic_mean_matches_the_ode_for_a_million_cells():
    steps = [Step(28, LAPATINIB_LOW)]
    ode = evolve("SKBR3", steps, initial_cells=1e6, passage=False).totals()
    ssa = evolve("SKBR3", steps, initial_cells=1e6, stochastic=True, replicates=20, seed=11, passage=False).totals()
    relative = np.abs(ssa["cells"].to_numpy() / ode["cells"].to_numpy() - 1)
    assert relative.max() < 0.05, relative


def test_same_seed_same_result_other_seed_differs():
    steps = [Step(14, LAPATINIB_LOW)]
    a = evolve("SKBR3", steps, initial_cells=1e4, stochastic=True, replicates=3, seed=5).table
    b = evolve("SKBR3", steps, initial_cells=1e4, stochastic=True, replicates=3, seed=5).table
    c = evolve("SKBR3", steps, initial_cells=1e4, stochastic=True, replicates=3, seed=6).table
    assert a.equals(b)
    assert not a["cells"].equals(c["cells"])


def test_evolve_cli_json(capsys):
    assert main(["evolve", "--cell-line", "BT474", "--protocol", "chronic-trastuzumab", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["final_fractions"]["tolerant"] > 0.5 and out["readouts_vs_parental"]["NF-kB activity fold"] > 1.5


@pytest.mark.parametrize("args, words", [
    (["--protocol", "chronic-aspirin"], "unknown protocol"),
    (["--protocol", "chronic-lapatinib", "--cells", "0"], "--cells must be >= 1"),
    (["--protocol", "chronic-lapatinib", "--fractions", "sensitive=1.5,tolerant=0"], "between 0 and 1"),
    (["--protocol", "chronic-lapatinib", "--fractions", "stem=1"], "unknown cell state"),
    (["--protocol", "chronic-lapatinib", "--fractions", "sensitive"], "malformed"),
])
def test_bad_evolve_input_one_line_exit_2(capsys, args, words):
    assert main(["evolve", "--cell-line", "SKBR3", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0], err


def test_protocol_file_with_negative_dose_is_refused(tmp_path, capsys):
    path = tmp_path / "p.toml"
    path.write_text('[[step]]\nweeks = 2\ndrugs = { lapatinib = "-1uM" }\n')
    assert main(["evolve", "--cell-line", "SKBR3", "--protocol", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "negative" in err[0], err


def test_stem_fraction_is_set_by_the_sourced_equilibrium_and_moves_with_her2():
    from her2sim.population.stem import k_stem, run_hierarchy

    assert k_stem("MCF7") > 0
    base = run_hierarchy("MCF7", (), days=7)
    assert base.stem_fraction == pytest.approx(0.03, rel=1e-6)
    # lapatinib blocks HER2 harder than trastuzumab in HER2-low cells: a deeper fall of the stem fraction
    tz = run_hierarchy("MCF7", (("trastuzumab", "10ug/mL"),), days=7).stem_fraction
    lap = run_hierarchy("MCF7", (("lapatinib", "1uM"),), days=7).stem_fraction
    assert lap < tz < base.stem_fraction


def test_radiation_kills_by_the_linear_quadratic_law_and_stem_cells_resist():
    from her2sim.population.stem import lq_survival

    non_stem = lq_survival("MCF7", (), (), False)
    # reference cells carry the sourced alpha and beta
    assert non_stem(2.0) == pytest.approx(np.exp(-0.17 * 2 - 0.0425 * 4), rel=1e-9)
    assert non_stem(0.0) == 1.0
    stem = lq_survival("MCF7", (), (), True)
    assert stem(2.0) > non_stem(2.0) and stem(8.0) / non_stem(8.0) > stem(2.0) / non_stem(2.0)


def test_bad_hierarchy_input():
    from her2sim.errors import InputError
    from her2sim.population.stem import run_hierarchy

    with pytest.raises(InputError, match="days must be > 0"):
        run_hierarchy("MCF7", days=0)
    with pytest.raises(InputError, match="between 0 and 30 Gy"):
        run_hierarchy("MCF7", days=5, fractions_gy=(-2.0,))


def test_irradiate_cli_json(capsys):
    assert main(["irradiate", "--cell-line", "MCF7", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stem_fraction_irradiated"] > 1.5 * out["stem_fraction_control"]
    assert out["clonogenic_survival"]["stem"][1] > out["clonogenic_survival"]["non-stem"][1]


@pytest.mark.parametrize("args, words", [
    (["--dose-gy", "-2"], "--dose-gy must be between 0 and 30"),
    (["--fractions", "10", "--interval-days", "1", "--days", "5"], "shorter than the course"),
    (["--add", "aspirin=1uM"], "unknown agent"),
    (["--add", "trastuzumab"], "malformed"),
])
def test_bad_irradiate_input_one_line_exit_2(capsys, args, words):
    assert main(["irradiate", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0], err


def _mcf7_compartments(drugs=()):
    from her2sim.population.stem import compartment_signals, k_stem

    return (compartment_signals("MCF7", (), drugs, True), compartment_signals("MCF7", (), drugs, False),
            k_stem("MCF7"))


def test_in_vivo_hierarchy_with_unlimited_transit_is_the_culture_hierarchy():
    from scipy.linalg import expm

    from her2sim.population.stem import generator, in_vivo_generator

    stem, rest, k = _mcf7_compartments()
    culture = expm(generator(stem, rest, k) * 7.0) @ np.array([0.03, 0.97])
    # 200 transit generations are never used up in 7 days: the generations sum to the culture's non-stem cells
    a = in_vivo_generator(stem, rest, k, pace=1.0, generations=200)
    start = np.zeros(a.shape[0])
    start[0], start[1] = 0.03, 0.97
    n = expm(a * 7.0) @ start
    assert n[0] == pytest.approx(culture[0], rel=1e-6)
    assert n[1:].sum() == pytest.approx(culture[1], rel=1e-6)


def test_a_transit_cell_leaves_at_most_two_to_the_m_descendants():
    from scipy.linalg import expm

    from her2sim.population.dynamics import constants
    from her2sim.population.stem import in_vivo_generator

    stem, rest, k = _mcf7_compartments()
    a = in_vivo_generator(stem, rest, k, pace=1.0)
    a[0, :] = 0.0  # no dedifferentiation back into the stem compartment: follow one transit lineage
    m = int(constants()["transit_generations"])
    start = np.zeros(a.shape[0])
    start[1] = 1.0  # one fresh transit cell
    totals = [(expm(a * t) @ start)[1:].sum() for t in np.linspace(0, 60, 121)]
    assert max(totals) <= 2**m
    assert (expm(a * 60) @ start)[1:m + 1].sum() < 1e-3  # no dividing cell left: the lineage is post-mitotic


def test_untreated_xenograft_grows_at_its_doubling_time():
    from her2sim.population.xenograft import grow_xenograft

    run = grow_xenograft("MCF7", days=120)
    slope = np.log(run.at(120) / run.at(110)) / 10
    assert slope == pytest.approx(np.log(2) / 5.0, rel=1e-3)
    assert run.volume[0] == pytest.approx(1.0)


def test_bad_xenograft_input():
    from her2sim.errors import InputError
    from her2sim.population.xenograft import grow_xenograft

    with pytest.raises(InputError, match="days must be > 0"):
        grow_xenograft("MCF7", days=0)
    with pytest.raises(InputError, match="treatment start"):
        grow_xenograft("MCF7", days=10, start_day=20)


def test_xenograft_cli_json(capsys):
    assert main(["xenograft", "--add", "trastuzumab=10ug/mL", "--start-day", "28", "--days", "42", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["days"][0] == 0 and out["days"][-1] == 42
    # before the start day the treated tumour is the control tumour
    assert out["volume_treated"][:29] == pytest.approx(out["volume_control"][:29], rel=1e-9)
    assert out["treated_vs_control_at_end"] == pytest.approx(out["volume_treated"][-1] / out["volume_control"][-1])


@pytest.mark.parametrize("args, words", [
    (["xenograft"], "--add"),
    (["xenograft", "--add", "trastuzumab=-1ug/mL"], "negative"),
    (["xenograft", "--add", "trastuzumab=10ug/mL", "--start-day", "80", "--days", "70"], "treatment start"),
    (["xenograft", "--cell-line", "NOPE", "--add", "trastuzumab=10ug/mL"], "unknown cell line"),
])
def test_bad_xenograft_cli_input_one_line_exit_2(capsys, args, words):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("generations", [3, 12])
def test_transit_divisions_do_not_decide_the_xenograft_timing(generations):
    """S003-CSC-2 fails whatever the transit-division count: trastuzumab slows an established tumour at
    least as much as a new one (README, tests/test_claims.py)."""
    import her2sim.population.xenograft as xenograft
    from her2sim.population.dynamics import population_values

    with population_values({"transit_generations": generations}):
        tz = (("trastuzumab", "10ug/mL"),)
        control = xenograft.grow_xenograft("MCF7", days=70)
        early = xenograft.grow_xenograft("MCF7", tz, start_day=0, days=70).at(42) / control.at(42)
        established = xenograft.grow_xenograft("MCF7", tz, start_day=28, days=70).at(70) / control.at(70)
    assert established <= early < 1.0
