"""Seed 000 signalling findings required of the foundation (issue 2), by simulation.

Tolerances are stated next to each check and come from the issue's acceptance
lines (e.g. "below 10 % of control"), which restate what the blots show.
"""

import pytest

from her2sim.engine import Protocol

# seed 000 Fig. 4c: serum-starved 12 h, lapatinib 1 uM for 2 h
LAPATINIB_2H = Protocol().starve("12h").add("0h", "lapatinib", "1uM").read("2h")
UNDETECTABLE = 0.10  # blot band below 10 % of control reads as undetectable
KEPT = 0.70  # NF-kB phosphorylation "maintained": at least 70 % of control


@pytest.mark.parametrize("readout", ["p-HER2", "p-ERK", "p-AKT"])
def test_lapatinib_abolishes_erbb_signalling_in_skbr3(fraction, readout):
    """S000-SIG-3: p-HER2, p-ERK, p-AKT fall below 10 % of control after 2 h of 1 uM lapatinib."""
    assert fraction("SKBR3", (), LAPATINIB_2H, readout, 120) < UNDETECTABLE


@pytest.mark.parametrize("readout", ["p-p65", "p-IkBa"])
def test_lapatinib_spares_nfkb_in_skbr3(fraction, readout):
    """S000-SIG-3: baseline p-p65 and p-IkBa are kept (> 70 % of control) under lapatinib."""
    assert fraction("SKBR3", (), LAPATINIB_2H, readout, 120) > KEPT


def test_lapatinib_does_not_touch_nfkb_when_erbb_is_off(fraction):
    """The same check with a harder drug dose: 10 uM still leaves p-p65 > 70 %."""
    protocol = Protocol().starve("12h").add("0h", "lapatinib", "10uM").read("2h")
    assert fraction("SKBR3", (), protocol, "p-p65", 120) > KEPT


RANKL_10MIN = Protocol().starve("12h").add("0h", "RANKL", "300ng/mL").read("10min")
LAPATINIB_THEN_RANKL = Protocol().starve("12h").add("-2h", "lapatinib", "1uM").add("0h", "RANKL", "300ng/mL").read(
    "10min"
)
STRONG = 3.0  # seed 000 Fig. 5d "strongly phosphorylates": at least 3-fold


def test_rankl_phosphorylates_p65_in_rank_overexpressing_skbr3(fraction):
    """S000-SIG-4: RANKL 10 min raises p-p65 >= 3-fold in SKBR3 + RANK-OE."""
    assert fraction("SKBR3", ("RANK-OE",), RANKL_10MIN, "p-p65", 10) >= STRONG


def test_lapatinib_does_not_prevent_rankl_p65(fraction):
    """S000-SIG-4: the same >= 3-fold rise after 2 h of lapatinib (control: lapatinib alone)."""
    value = fraction("SKBR3", ("RANK-OE",), LAPATINIB_THEN_RANKL, "p-p65", 10, keep=("lapatinib",))
    assert value >= STRONG


def test_rank_overexpression_is_what_makes_rankl_strong(fraction):
    """Control for the above: with the empty vector the RANKL effect is well below 3-fold."""
    assert fraction("SKBR3", ("empty-vector",), RANKL_10MIN, "p-p65", 10) < STRONG


def test_lapatinib_raises_rank_mrna_in_skbr3(fraction):
    """S000-EXPR-1: 24 h of lapatinib raises RANK mRNA (>= 1.2-fold, a change a qPCR resolves)."""
    protocol = Protocol().add("0h", "lapatinib", "1uM").read("24h")
    assert fraction("SKBR3", (), protocol, "RANK mRNA", 1440) >= 1.2


def test_rank_induction_needs_foxo_derepression(fraction):
    """Mechanism check: with FOXO unable to induce RANK, lapatinib no longer raises RANK mRNA."""
    from her2sim.assays import relative_to_control

    protocol = Protocol().add("0h", "lapatinib", "1uM").read("24h")
    table = relative_to_control("SKBR3", (), protocol, ["RANK mRNA"], parameters={"FOXO_RANK_induction": 0.0})
    assert table["fraction_of_control"].iloc[0] == pytest.approx(1.0, abs=0.02)



def test_a_species_decayed_to_a_subnormal_level_does_not_stop_the_next_run():
    # found by the claims search (generation 1): at this point pre-equilibration left HER2d16 at 1e-321 nM
    # in SKBR3 (no d16 there), which gave CVODE a zero error weight (CV_ILL_INPUT) in S000-EXPR-6's qPCR run
    from her2sim.claims import evaluate
    from her2sim.engine.runner import cell_line_values, parameter_values

    point = {"IKK_constitutive": 0.01345314958949038, "K_NFkB_survival": 0.08108659329973308,
             "K_RANK_HER2_drive": 0.09527307706191787, "K_RANK_PI3K": 2.9000307551668567,
             "Kd_RANK_HER2": 162.86969454091013, "RANK_NFkB_induction": 7.861337865869157,
             "RANK_vector_transcription": 0.025234114626904704, "a_HER2_RANK": 0.45636561752764976,
             "a_HER2_RANKL": 0.19569922486514835, "k_TRAF6_act": 0.04317724128766621,
             "p27_titration_by_NFkB": 4.077920152087237, "w_PI3K_RANK": 0.5043682435378248,
             "w_RANK_ligand_independent": 0.00500529981072173, "w_survival_NFkB": 0.21423776570019543}
    lines = {"SKLR": {"IKK_constitutive": 0.05655973902880836, "RANK_expression": 3.7909007343389276,
                      "antiapoptotic_adaptation": 0.23128823771798251}}
    with parameter_values(point), cell_line_values(lines):
        result = evaluate("S000-EXPR-6")
    assert "simulation error" not in result.notes and result.checks


def test_resting_states_hold_no_subnormal_levels():
    from her2sim.engine.runner import NO_MOLECULE, resting_state

    for line in ("SKBR3", "BT474", "HCC1954", "SKLR", "MCF7"):
        state = resting_state(line)
        assert all(v == 0.0 or abs(v) >= NO_MOLECULE for v in state.values()), line


JAK2I_2H = Protocol().add("0h", "JAK2-inhibitor", "1uM").read("2h")


def test_her2_reaches_stat3_through_jak2(fraction):
    """Ren & Schaefer 2002: ErbB-2 activates STAT3 through JAK2, so in HER2-amplified BT474, where HER2
    is most of STAT3's drive, ruxolitinib 1 uM takes p-STAT3 below a third of control. (With HER2's drive
    bypassing JAK2, as the model first had it, p-STAT3 stayed at 0.95 of control.)"""
    assert fraction("BT474", (), JAK2I_2H, "p-STAT3", 120) < 1 / 3


TRASTUZUMAB_2D = Protocol().add("0h", "trastuzumab", "10ug/mL").read("48h")


def test_trastuzumab_releases_notch_only_where_her2_is_overexpressed(fraction):
    """Osipo 2008: overexpressed HER2 represses Notch-1 and trastuzumab activates it (at least 1.5-fold
    NICD in amplified BT474); HER2-low cells are not held down, so in the HER2+ stem cells of non-amplified
    MCF7 trastuzumab leaves NICD within 10 %. (With repression by HER2 kinase activity alone, as the model
    first had it, trastuzumab raised NICD in BT474 by 1 %.)"""
    assert fraction("BT474", (), TRASTUZUMAB_2D, "Notch NICD", 48 * 60) >= 1.5
    assert fraction("MCF7", ("HER2-positive-stem",), TRASTUZUMAB_2D, "Notch NICD", 48 * 60) < 1.1
