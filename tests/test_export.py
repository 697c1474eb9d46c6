"""`her2sim export sbml` writes a model any SBML tool can run and that matches her2sim.

The plain-libroadrunner side of each comparison uses only the exported file.
"""

import numpy as np
import pytest
import roadrunner

from her2sim.cli import main
from her2sim.engine import Protocol, simulate
from her2sim.engine.runner import READOUTS
from her2sim.model import validate_sbml

TIMES = [0.0, 5.0, 10.0, 60.0, 120.0, 130.0, 600.0, 1440.0]
RELATIVE = 1e-6


def _plain_runner(path):
    rr = roadrunner.RoadRunner(str(path))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-10
    return rr


def _close(ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    scale = np.maximum(np.abs(ours), np.abs(theirs))
    return np.all(np.abs(ours - theirs) <= RELATIVE * scale + 1e-9)


@pytest.mark.parametrize("line, constructs", [("SKBR3", ()), ("SKBR3", ("RANK-OE",)), ("HCC1954", ("shRANK-3",))])
def test_exported_variant_reproduces_her2sim_without_drugs(tmp_path, line, constructs):
    path = tmp_path / "model.xml"
    args = ["export", "sbml", "-o", str(path), "--cell-line", line]
    for c in constructs:
        args += ["--construct", c]
    assert main(args) == 0
    assert validate_sbml(path.read_text()) == []

    ours = simulate(line, constructs, Protocol().read(*TIMES))
    rr = _plain_runner(path)
    ids = list(READOUTS.values())
    for name, model_id in READOUTS.items():
        mine = ours[ours["observable"] == name].sort_values("time")["value"].to_numpy()
        rr.resetAll()
        theirs = rr.simulate(times=TIMES, selections=["time", model_id])[:, 1]
        assert _close(mine, theirs), (name, mine, theirs)
    assert len(ids) > 20


def test_exported_variant_reproduces_a_drug_protocol(tmp_path):
    """Lapatinib at 1 h, RANKL at 2 h: a plain session adding them by hand agrees to 1e-6."""
    path = tmp_path / "model.xml"
    assert main(["export", "sbml", "-o", str(path), "--cell-line", "SKBR3", "--construct", "RANK-OE"]) == 0
    protocol = Protocol().add("1h", "lapatinib", "1uM").add("2h", "RANKL", "300ng/mL").read(*TIMES[1:])
    ours = simulate("SKBR3", ("RANK-OE",), protocol, ["p-HER2", "p-ERK", "p-AKT", "p-p65", "RANK mRNA"])

    rr = _plain_runner(path)
    selections = ["obs_pHER2", "obs_pERK", "obs_pAKT", "obs_pp65", "obs_RANK_mRNA"]
    plain = {}
    clock = 0.0
    additions = {60.0: ("lapatinib", 1000.0), 120.0: ("RANKL", 5.0)}
    for t in sorted(set(TIMES[1:]) | set(additions)):
        rr.simulate(clock, t, 2)
        clock = t
        if t in additions:
            species, nM = additions[t]
            rr.setValue(species, rr.getValue(species) + nM)
        plain[t] = [rr.getValue(s) for s in selections]
    for name, model_id in zip(["p-HER2", "p-ERK", "p-AKT", "p-p65", "RANK mRNA"], selections, strict=True):
        mine = ours[ours["observable"] == name].sort_values("time")["value"].to_numpy()
        theirs = [plain[t][selections.index(model_id)] for t in TIMES[1:]]
        assert _close(mine, theirs), (name, mine, theirs)


def test_base_model_export(tmp_path):
    path = tmp_path / "base.xml"
    assert main(["export", "sbml", "-o", str(path)]) == 0
    text = path.read_text()
    assert "identifiers.org/uniprot/P04626" in text
    assert "identifiers.org/drugbank/DB01259" in text
