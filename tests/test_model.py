"""The assembled model: valid SBML, annotated, every parameter sourced."""

import csv
from importlib import resources

import libsbml
import pytest

from her2sim.model import base_sbml, load_parameters, module_paths, validate_sbml
from her2sim.model.assembly import UNIT_DEFINITIONS
from her2sim.units import registry

PROTEINS_AND_DRUGS = [
    "HER2", "pHER2", "p95HER2", "EGFR", "HER3", "RANK", "RANK_RANKL", "Src", "PTEN", "AKT", "pAKT", "RAS",
    "ERK", "pERK", "TRAF6", "IKK", "IkBa", "IkBa_NFkB", "p65", "STAT3", "ERa", "MUC4",
    "lapatinib", "trastuzumab", "pertuzumab", "denosumab", "RANKL", "OPG", "EGF", "HRG", "IL6",
]


@pytest.fixture(scope="module")
def model():
    return libsbml.readSBMLFromString(base_sbml()).getModel()


def test_sbml_validates_with_zero_errors():
    assert validate_sbml(base_sbml()) == []


def test_model_size(model):
    assert model.getNumSpecies() >= 35
    assert model.getNumReactions() >= 60


def test_level_and_units(model):
    document = model.getSBMLDocument()
    assert (document.getLevel(), document.getVersion()) == (3, 2)
    assert model.getTimeUnits() == "minute"
    assert model.getSubstanceUnits() == "nmole"


@pytest.mark.parametrize("species_id", PROTEINS_AND_DRUGS)
def test_proteins_and_drugs_carry_miriam_annotations(model, species_id):
    species = model.getSpecies(species_id)
    assert species is not None, species_id
    resources_ = [species.getCVTerm(i).getResourceURI(0) for i in range(species.getNumCVTerms())]
    assert any(uri.startswith("http://identifiers.org/") for uri in resources_), species_id


def test_every_parameter_has_unit_and_source():
    path = resources.files("her2sim.model").joinpath("parameters.tsv")
    with path.open() as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == len(load_parameters()) > 100
    for row in rows:
        assert row["unit"] in UNIT_DEFINITIONS, row
        assert row["source"].strip(), row["name"]
        # the unit string is a real unit pint understands
        registry().parse_units(row["unit"].replace("nM", "nanomolar").replace("min", "minute"))


def test_every_model_constant_is_in_parameters_tsv(model):
    ruled = {model.getRule(i).getVariable() for i in range(model.getNumRules())}
    constants = {model.getParameter(i).getId() for i in range(model.getNumParameters())} - ruled
    assert constants == set(load_parameters())
    for pid in constants:
        assert model.getParameter(pid).isSetUnits(), pid


def test_each_module_opens_with_its_biology():
    for path in module_paths():
        head = path.read_text().splitlines()[:12]
        assert any("Biology" in line or "biology" in line.lower() or "Source" in line for line in head), path.name


def test_readout_names_never_shadow_model_ids(model):
    from her2sim.engine.runner import READOUTS

    ids = {model.getSpecies(i).getId() for i in range(model.getNumSpecies())}
    ids |= {model.getParameter(i).getId() for i in range(model.getNumParameters())}
    assert not (set(READOUTS) & ids)


def test_a_cell_line_what_if_reaches_its_derivatives_and_is_undone():
    """``cell_line_values`` changes SKBR3's own overlay value (which ``parameter_values`` cannot, since a
    line's own value wins); SKLR inherits it, BT474 does not; leaving the block restores the shipped value."""
    from her2sim.engine.runner import cell_line_values, variant_parameters
    from her2sim.errors import InputError

    shipped = {line: variant_parameters(line)["k_proliferation_max"] for line in ("SKBR3", "SKLR", "BT474")}
    with cell_line_values({"skbr3": {"k_proliferation_max": 2 * shipped["SKBR3"]}}):
        assert variant_parameters("SKBR3")["k_proliferation_max"] == 2 * shipped["SKBR3"]
        assert variant_parameters("SKLR")["k_proliferation_max"] == 2 * shipped["SKBR3"]
        assert variant_parameters("BT474")["k_proliferation_max"] == shipped["BT474"]
    assert {line: variant_parameters(line)["k_proliferation_max"] for line in shipped} == shipped
    for bad, message in (({"nope": {"k_proliferation_max": 1.0}}, "unknown cell line"),
                         ({"SKBR3": {"k_nope": 1.0}}, "unknown parameters k_nope for SKBR3"),
                         ({"SKBR3": {"k_proliferation_max": -1.0}}, "finite and >= 0")):
        with pytest.raises(InputError, match=message), cell_line_values(bad):
            pass
    assert {line: variant_parameters(line)["k_proliferation_max"] for line in shipped} == shipped
