"""CLI: happy paths and the one-line errors for bad input."""

import json
import subprocess
import sys

import pytest

from her2sim.cli import main

BAD_INPUTS = [
    (["simulate", "--cell-line", "FOO", "--read", "1h"], "unknown cell line"),
    (["simulate", "--cell-line", "SKBR3", "--construct", "XX", "--read", "1h"], "unknown construct"),
    (["simulate", "--cell-line", "SKBR3", "--add", "0h:aspirin=1uM", "--read", "1h"], "unknown agent"),
    (["simulate", "--cell-line", "SKBR3", "--add", "0h:lapatinib=1", "--read", "1h"], "has no unit"),
    (["simulate", "--cell-line", "SKBR3", "--add", "0h:lapatinib=1kg", "--read", "1h"], "not a concentration"),
    (["simulate", "--cell-line", "SKBR3", "--add", "0h:lapatinib=-1uM", "--read", "1h"], "negative"),
    (["simulate", "--cell-line", "SKBR3", "--read", "2hh"], "malformed time"),
    (["simulate", "--cell-line", "SKBR3", "--add", "lapatinib=1uM", "--read", "1h"], "malformed"),
    (["simulate", "--cell-line", "SKBR3", "--starve", "soon", "--read", "1h"], "malformed time"),
    (["simulate", "--cell-line", "SKBR3"], "no readout time"),
    (["simulate", "--cell-line", "SKBR3", "--read", "1h", "--readout", "p-FOO"], "unknown readout"),
    (["simulate", "--nonsense"], "no such option"),
    (["export", "sbml", "-o", "/proc/her2sim/m.xml"], "cannot write"),
    (["claims-ranges", "--only", "NOPE"], "unknown parameter"),
    (["claims-ranges", "--only", "SKLR:Kd_RANK_HER2"], "SKLR has no own value"),
    (["claims-ranges", "--factor", "0.5"], "window factor must be"),
    (["claims-ranges", "--steps", "0"], "--steps must be between"),
    (["claims-ranges", "--workers", "0"], "--workers must be between"),
    (["calibrate-claims", "--generations", "0"], "--generations must be"),
    (["calibrate-claims", "--popsize", "1"], "--popsize must be"),
    (["calibrate-claims", "--margin", "-0.1"], "--margin must be"),
    (["calibrate-claims", "--window", "1"], "window factor must be"),
    (["calibrate-claims", "--only", "SKLR:NOPE"], "SKLR has no own value"),
    (["calibrate-claims", "--sigma", "0"], "--sigma must be in"),
    (["calibrate-claims", "--start", "/nonexistent/best_point.json"], "no point file"),
]


@pytest.mark.parametrize("args, expected", BAD_INPUTS)
def test_bad_input_gives_one_line_and_status_2(capsys, args, expected):
    assert main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert expected.lower() in lines[0].lower()
    assert "Traceback" not in captured.err


def test_error_lists_allowed_values(capsys):
    main(["simulate", "--cell-line", "FOO", "--read", "1h"])
    err = capsys.readouterr().err
    assert "SKBR3" in err and "HCC1954" in err


def test_real_process_exit_status_and_no_traceback():
    """The installed entry point behaves the same as main() (exit 2, one line, no traceback)."""
    run = subprocess.run(
        [sys.executable, "-c", "from her2sim.cli import main; main()",
         "simulate", "--cell-line", "NOPE", "--read", "1h"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr


def test_simulate_json(capsys):
    args = ["simulate", "--cell-line", "SKBR3", "--construct", "RANK-OE", "--starve", "12h",
            "--add", "0h:lapatinib=1uM", "--add", "2h:RANKL=300ng/mL", "--read", "2h10min", "--json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    readouts = result["readouts"]
    assert readouts["p-HER2"][0]["fraction_of_control"] < 0.1
    assert readouts["p-p65"][0]["fraction_of_control"] > 3
    assert readouts["p-EGFR"][0]["fraction_of_control"] is None  # SKBR3 has no EGFR


def test_simulate_table(capsys):
    args = ["simulate", "--cell-line", "BT474", "--add", "0h:trastuzumab=10ug/mL", "--read", "24h"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "p-AKT" in out and "fraction of control" in out


def test_info_lists_everything(capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert len(info["species"]) >= 35
    assert {"SKBR3", "BT474", "HCC1954", "MCF7", "SKLR", "BTLR", "BT-474-R"} <= set(info["cell_lines"])
    assert {"RANK-OE", "shRANK-3", "shRANK-4", "p95HER2", "PTEN-loss"} <= set(info["constructs"])
    assert {"lapatinib", "trastuzumab", "pertuzumab", "denosumab", "IKK-inhibitor", "RANKL"} <= set(info["agents"])
    assert all(p["source"] for p in info["parameters"].values())
