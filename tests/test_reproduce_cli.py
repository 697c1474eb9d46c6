"""`her2sim reproduce` and `her2sim viability` from the command line."""

import importlib
import json

import pytest

from her2sim.cli import main
from her2sim.model import load_parameters


def test_reproduce_subset_writes_json_and_report(tmp_path, capsys, monkeypatch):
    claims_registry = importlib.import_module("her2sim.claims.registry")

    # no seed claim is pending any more; one is made pending here to show how the report counts it
    # (registry() first, so every real registration has happened before one is replaced)
    assert "S004-REC-1" in claims_registry.registry()
    monkeypatch.setitem(claims_registry._REGISTRY, "S004-REC-1",
                        claims_registry.ClaimSpec("S004-REC-1", "decided once its layer exists", "", None, "test"))
    code = main(["reproduce", "--only", "S000-SIG-3,S000-BIND-1,S004-REC-1", "--out", str(tmp_path)])
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "2 passed, 0 failed, 1 pending"
    assert code == 0
    claims = json.loads((tmp_path / "claims.json").read_text())
    assert [c["id"] for c in claims] == ["S000-SIG-3", "S000-BIND-1", "S004-REC-1"]
    for entry in claims:
        assert {"id", "seed", "layer", "status", "criterion", "measured"} <= set(entry)
    page = (tmp_path / "report.html").read_text()
    assert "id=\"summary\"" in page and "data:image/png;base64," in page


def test_reproduce_exit_status_1_when_a_claim_fails(tmp_path, capsys):
    from tests.test_claims import KNOWN_FAILURES

    if not KNOWN_FAILURES:
        pytest.fail("no known failing claim left: replace this test with one that forces a failure")
    failing = next(iter(KNOWN_FAILURES))
    assert main(["reproduce", "--only", failing, "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == "0 passed, 1 failed, 0 pending"


@pytest.mark.parametrize(
    "args, expected",
    [
        (["reproduce", "--only", "S000-NOPE"], "unknown claim id"),
        (["reproduce", "--out", "/proc/her2sim-out"], "not a writable directory"),
        (["viability", "--cell-line", "SKBR3", "--drug", "lapatinib", "--doses", "0,-1,2uM"], "negative"),
        (["viability", "--cell-line", "SKBR3", "--drug", "lapatinib", "--doses", "0,abc,2uM"], "does not parse"),
        (["viability", "--cell-line", "SKBR3", "--drug", "lapatinib", "--doses", "0,1,2"], "no unit"),
        (["viability", "--cell-line", "SKBR3", "--drug", "aspirin", "--doses", "0,1uM"], "unknown agent"),
        (["viability", "--cell-line", "SKBR3", "--drug", "lapatinib", "--doses", "0,1uM", "--days", "-2"], "days"),
    ],
)
def test_bad_input(capsys, args, expected):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0]


def test_viability_json(capsys):
    args = ["viability", "--cell-line", "SKBR3", "--drug", "lapatinib", "--json",
            "--doses", "0,0.0156,0.03125,0.0625,0.125,0.25,0.5,1,2,4,8,16uM"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"doses_uM", "relative_survival", "ic50_uM", "emax", "auc"} <= set(result)
    assert result["relative_survival"][0] == 1.0
    assert result["relative_survival"] == sorted(result["relative_survival"], reverse=True)
    # SKBR3 4-day lapatinib IC50 in the literature: 0.03-0.08 uM (Konecny 2006; not fitted)
    assert 0.01 < result["ic50_uM"] < 0.2


def test_viability_with_pretreatment(capsys):
    args = ["viability", "--cell-line", "SKBR3", "--construct", "RANK-OE", "--drug", "lapatinib", "--json",
            "--doses", "0,0.03,0.1,0.3,1uM", "--add", "-1d:RANKL=100ng/mL"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["treatments"][0]["agent"] == "RANKL"


def test_reproduce_ensemble_reports_the_fraction_of_members(tmp_path, capsys):
    run = tmp_path / "cal"
    run.mkdir()
    # two members: the defaults, and one with RANKL->TRAF6 coupling 10x weaker (SIG-4 needs it)
    default = load_parameters()["k_TRAF6_act"].value
    (run / "ensemble.tsv").write_text(f"start\tfval\tviolations\tk_TRAF6_act\n0\t0.1\t0\t{default}\n"
                                      f"1\t0.2\t0\t{default / 10}\n")
    code = main(["reproduce", "--only", "S000-SIG-3,S000-SIG-4", "--out", str(tmp_path / "r"), "--ensemble", str(run)])
    assert code == 0
    claims = {c["id"]: c for c in json.loads((tmp_path / "r" / "claims.json").read_text())}
    assert claims["S000-SIG-3"]["ensemble"]["fraction"] == 1.0
    assert claims["S000-SIG-4"]["ensemble"] == {"members": 2, "satisfied": 1, "fraction": 0.5,
                                                "failing_members": ["start 1"]}
    assert "ensemble members satisfying" in (tmp_path / "r" / "report.html").read_text()
    capsys.readouterr()


def test_a_claims_search_ensemble_carries_cell_line_values(tmp_path, capsys):
    run = tmp_path / "search"
    run.mkdir()
    # a LINE:name column is that line's own value: SKLR with SKBR3's RANK gene dose loses EXPR-2's contrast
    (run / "ensemble.tsv").write_text("point\tloss\tmin_slack\tSKLR:RANK_expression\n0\t0\t0.1\t3.78\n"
                                      "1\t0\t0.1\t1.0\n")
    code = main(["reproduce", "--only", "S000-EXPR-2", "--out", str(tmp_path / "r"), "--ensemble", str(run)])
    assert code == 0
    claims = {c["id"]: c for c in json.loads((tmp_path / "r" / "claims.json").read_text())}
    assert claims["S000-EXPR-2"]["ensemble"]["failing_members"] == ["point 1"]
    capsys.readouterr()


def test_reproduce_ensemble_without_a_run_is_one_line(tmp_path, capsys):
    assert main(["reproduce", "--only", "S000-SIG-3", "--out", str(tmp_path / "r"), "--ensemble", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no ensemble" in err[0]
