"""The claims-target search (calibration/claims_search.py): the objective on the real model, and the
search's bookkeeping (same seed, same result; resume loses nothing) on a stand-in objective that costs
nothing, since a real generation takes minutes."""

import json
import math

import pytest

from her2sim.calibration import claims_search, load_ensemble
from her2sim.calibration.claims_ranges import Target, default_value
from her2sim.errors import InputError

TARGETS = [Target("w_survival_NFkB"), Target("RANK_expression", "SKLR")]


def test_the_defaults_satisfy_every_claim_but_not_the_margin():
    outcome = claims_search.claims_objective({}, {}, margin=0.02)
    assert outcome["failing"] == []
    assert 0 <= outcome["min_slack"] < 0.02  # the shipped point's thin margins (+0.002)
    assert outcome["loss"] > 0
    assert claims_search.claims_objective({}, {}, margin=0.0)["loss"] == 0.0


def test_calibration_rows_are_checked_against_their_bands():
    """--rows holds each in vitro calibration row inside its band, as the reference table judges it."""
    from her2sim.calibration.reference import compare

    checks = claims_search.calibration_row_checks()
    rows = claims_search.in_vitro_calibration_rows()
    judged = compare(rows)
    assert set(checks) == {f"{o}:{c}" for o, c in zip(rows["observableId"], rows["simulationConditionId"],
                                                       strict=True)}
    for _, row in judged.iterrows():
        low, high = checks[f"{row['observableId']}:{row['simulationConditionId']}"]
        assert (low.threshold, high.threshold) == pytest.approx((row["band_low"], row["band_high"]))
        assert (low.passed and high.passed) == bool(row["within"])


@pytest.fixture
def counted(monkeypatch):
    """A stand-in objective with its minimum at w_survival_NFkB x1.5, SKLR RANK x0.8; counts its calls."""
    calls = []
    optimum = {"w_survival_NFkB": 1.5 * default_value(TARGETS[0]), "RANK_expression": 0.8 * default_value(TARGETS[1])}

    def objective(values, cell_lines, margin, rows=False):
        calls.append(1)
        merged = {**values, **cell_lines.get("SKLR", {})}
        loss = sum(math.log(merged[k] / v) ** 2 for k, v in optimum.items())
        return dict(loss=loss, min_slack=0.2 - loss, failing=[] if loss < 0.2 else ["S000-VIA-2"])

    monkeypatch.setattr(claims_search, "claims_objective", objective)
    return calls


def test_same_seed_same_search_and_a_rerun_recomputes_nothing(tmp_path, counted):
    first = claims_search.search(TARGETS, tmp_path / "a", generations=6, seed=3, popsize=4)
    assert first["best_loss"] < first["start_loss"]  # the search moves towards the optimum
    evaluations = len(counted)
    assert evaluations == 1 + 6 * 4 + 1  # the defaults, six generations, the rounded best
    again = claims_search.search(TARGETS, tmp_path / "b", generations=6, seed=3, popsize=4)
    assert again["best_loss"] == pytest.approx(first["best_loss"], rel=1e-12)
    assert again["best_point"] == first["best_point"]
    counted.clear()
    resumed = claims_search.search(TARGETS, tmp_path / "a", generations=6, seed=3, popsize=4)
    assert len(counted) == 1 and resumed["best_loss"] == first["best_loss"]  # only the rounded check reruns


def test_an_interrupted_search_resumes_where_it_stopped(tmp_path, counted):
    full = claims_search.search(TARGETS, tmp_path / "full", generations=5, seed=1, popsize=4)
    claims_search.search(TARGETS, tmp_path / "cut", generations=5, seed=1, popsize=4)
    for late in (3, 4):  # as if killed after generation 2
        (tmp_path / "cut" / "generations" / f"gen_{late:03d}.json").unlink()
    counted.clear()
    resumed = claims_search.search(TARGETS, tmp_path / "cut", generations=5, seed=1, popsize=4)
    assert len(counted) == 2 * 4 + 1  # the two lost generations and the rounded best, nothing else
    assert resumed["best_point"] == full["best_point"]
    stored = json.loads((tmp_path / "cut" / "generations" / "gen_004.json").read_text())
    assert stored == json.loads((tmp_path / "full" / "generations" / "gen_004.json").read_text())


def test_a_run_directory_with_other_settings_is_refused(tmp_path, counted):
    claims_search.search(TARGETS, tmp_path, generations=1, seed=0, popsize=2)
    with pytest.raises(InputError, match="other settings"):
        claims_search.search(TARGETS, tmp_path, generations=1, seed=1, popsize=2)
    for kwargs, message in ((dict(window=1.0), "window must be"), (dict(margin=-1.0), "margin must be"),
                            (dict(seed=-1), "seed must be"), (dict(generations=0), "generations must be")):
        with pytest.raises(InputError, match=message):
            claims_search.search(TARGETS, tmp_path / "x", **{"generations": 1, **kwargs})


def test_the_points_that_keep_every_claim_form_an_ensemble_reproduce_can_read(tmp_path, counted):
    summary = claims_search.search(TARGETS, tmp_path, generations=4, seed=2, popsize=4)
    members = load_ensemble(tmp_path)
    assert (tmp_path / "search.png").stat().st_size > 0
    assert 0 < len(members) == summary["ensemble_members"] < 1 + 4 * 4  # the defaults fail the stand-in
    for label, model, lines in members:
        assert label.startswith("point ") and set(model) == {"w_survival_NFkB"}
        assert set(lines) == {"SKLR"} and set(lines["SKLR"]) == {"RANK_expression"}
        merged = {**model, **lines["SKLR"]}
        assert math.log(merged["w_survival_NFkB"] / (1.5 * default_value(TARGETS[0]))) ** 2 + math.log(
            merged["RANK_expression"] / (0.8 * default_value(TARGETS[1]))) ** 2 < 0.2


def test_a_search_started_from_a_point_is_centred_on_it(tmp_path, counted):
    point = {"parameters": {"w_survival_NFkB": 1.5 * default_value(TARGETS[0])}, "cell_lines": {}}
    (tmp_path / "start.json").write_text(json.dumps(point))
    started = claims_search.search(TARGETS, tmp_path / "s", generations=1, seed=0, popsize=2,
                                   start=claims_search.read_point(tmp_path / "start.json"))
    from_defaults = claims_search.search(TARGETS, tmp_path / "d", generations=1, seed=0, popsize=2)
    # the stand-in's optimum has w_survival_NFkB at x1.5: starting there leaves only SKLR's value off
    assert started["start_loss"] == pytest.approx(math.log(0.8) ** 2)
    assert from_defaults["start_loss"] == pytest.approx(math.log(1.5) ** 2 + math.log(0.8) ** 2)
    run = json.loads((tmp_path / "s" / "run.json").read_text())
    assert run["defaults"][0] == pytest.approx(point["parameters"]["w_survival_NFkB"])


@pytest.mark.parametrize("point, message", [
    ({"parameters": {"K_survival": 0.5}}, "not among the values searched"),
    ({"parameters": {"w_survival_NFkB": -1.0}}, "finite value > 0"),
    ({"parameters": {"w_survival_NFkB": True}}, "finite value > 0"),
    ({"cell_lines": [1]}, "not a point file"),
])
def test_a_start_point_that_does_not_fit_the_search_is_refused(tmp_path, point, message):
    (tmp_path / "p.json").write_text(json.dumps(point))
    with pytest.raises(InputError, match=message):
        claims_search.start_values(TARGETS, claims_search.read_point(tmp_path / "p.json"))
