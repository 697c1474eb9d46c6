"""Population claims: resistance that emerges under chronic drug (population layer).

A derived line here is not an overlay: it is what the population layer makes of the
parental line under a chronic-exposure protocol (population/protocols.toml). Its
readouts are cell-weighted means over the states it ends in, measured drug-free.
"""

from __future__ import annotations

from her2sim.claims.registry import Check, Outcome, claim
from her2sim.drugs import agent
from her2sim.engine.runner import result_cache
from her2sim.population import evolve, load_protocol, population_cck8, population_readouts
from her2sim.population.dynamics import composition_figure

TZ = "10ug/mL"
CONSTITUTIVE = 1.5  # NF-kB activity >= 1.5 x parental without any stimulus: 'constitutively active'
KEPT = 0.8  # HER2 level/signalling within 20 % of parental: 'keeps' (blot resolution)
RESISTANT = 0.85  # trastuzumab 4 d survival >= 0.85, as for BT-474-R in S002-TZR-2


@result_cache
def emergent(cell_line: str, protocol: str):
    """The population a chronic protocol leaves (deterministic, 1e6 cells)."""
    name, steps = load_protocol(protocol)
    return evolve(cell_line, steps, protocol_name=name, initial_cells=1e6)


@result_cache
def emergent_readouts(cell_line: str, protocol: str) -> dict[str, float]:
    return population_readouts(emergent(cell_line, protocol))


@result_cache
def emergent_lapatinib(cell_line: str, protocol: str) -> dict:
    return population_cck8(emergent(cell_line, protocol), "lapatinib")


@claim("S002-TZR-1",
       "BT474 after 24 weeks of trastuzumab 10 ug/mL (emergent, population layer): 4-day trastuzumab survival "
       ">= 0.85; total HER2 and resting p-HER2 >= 0.8 x parental; resting NF-kB activity >= 1.5 x parental",
       "0.85: as BT-474-R in S002-TZR-2; 0.8: 'keeps' within blot resolution; 1.5: constitutive, not induced")
def tzr_1() -> Outcome:
    result = emergent("BT474", "chronic-trastuzumab")
    readouts = emergent_readouts("BT474", "chronic-trastuzumab")
    tz = population_cck8(result, "trastuzumab", (0.0, agent("trastuzumab").to_nM(TZ) / 1000.0))
    survival = tz["relative_survival"][1]
    checks = [Check("trastuzumab survival, derived population", survival, ">=", RESISTANT),
              Check("total HER2, derived / parental", readouts["total HER2 fold"], ">=", KEPT),
              Check("resting p-HER2, derived / parental", readouts["p-HER2 fold"], ">=", KEPT),
              Check("resting NF-kB activity, derived / parental", readouts["NF-kB activity fold"], ">=", CONSTITUTIVE)]
    figure = {"kind": "composition", "title": "BT474 under chronic trastuzumab (seed 002)",
              "runs": [composition_figure("BT474, trastuzumab 10 ug/mL, 24 weeks", result)]}
    fractions = ", ".join(f"{k.removeprefix('fraction ')} {v:.3f}" for k, v in readouts.items()
                          if k.startswith("fraction"))
    return Outcome(checks, figure, mode="emergent: BT474 run through the population layer's chronic-trastuzumab "
                   "protocol (deterministic); no BT-474-R overlay used", notes=f"final state fractions: {fractions}")


@claim("S003-BONE-1",
       "MCF7 (HER2 not amplified) in the bone niche (RANKL replenished daily, 7 days): total HER2 >= 1.2 x the "
       "primary site; with denosumab 10 ug/mL in the niche, HER2 < 1.1 x",
       "1.2: blot/IHC resolution; 1.1: 'prevents the rise' (within noise)")
def bone_1() -> Outcome:
    from her2sim.engine import simulate
    from her2sim.population.niche import bone_niche, primary_site

    def her2(protocol):
        table = simulate("MCF7", (), protocol, ["total HER2"])
        return float(table["value"].iloc[-1])

    base = her2(primary_site())
    folds = {"bone": her2(bone_niche()) / base,
             "bone + denosumab": her2(bone_niche(blocker=("denosumab", "10ug/mL"))) / base}
    opg = her2(bone_niche(blocker=("OPG", "1ug/mL"))) / base
    checks = [Check("total HER2, bone / primary", folds["bone"], ">=", 1.2),
              Check("total HER2, bone + denosumab / primary", folds["bone + denosumab"], "<", 1.1)]
    return Outcome(checks, {"kind": "bars", "title": "HER2 in MCF7: bone niche vs primary site (seed 003)",
                            "groups": {k: {"total HER2": v} for k, v in folds.items()}, "reference": 1.0},
                   mode="signalling model under a bone-niche protocol (population/niche.py): RANKL -> RANK -> "
                        "NF-kB -> ERBB2 transcription; the gene dose (HER2_expression) is the same in every arm",
                   notes=f"OPG 1 ug/mL in the niche leaves HER2 at {opg:.2f} x: with its sourced affinity for RANKL "
                         "(Kd 10 nM, Schneeweis 2005) it cannot outcompete a week of RANKL; denosumab (Kd 3 pM) can")


__all__ = ["emergent", "emergent_lapatinib", "emergent_readouts"]
