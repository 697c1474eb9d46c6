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


TZ_DRUG = (("trastuzumab", TZ),)
FIR = (2.0,) * 15  # 15 x 2 Gy, 5 fractions a week: fractionated irradiation of MCF7 (seed 004, Li lab 'FIR' cells)
FIR_INTERVAL = 7 / 5
SHRINK = 0.8  # stem fraction or spheres <= 0.8 x control: a 20 % fall, what sphere and ALDEFLUOR assays resolve
SF_STEP = 0.05  # clonogenic SF2 difference a triplicate assay resolves


@claim("S003-CSC-1",
       "MCF7 (HER2 not amplified): HER2 per stem cell >= 3 x per non-stem cell; 7 days of trastuzumab 10 ug/mL "
       "or HER2 siRNA leave the stem fraction <= 0.8 x untreated",
       "3 x: 'selectively expressed' (encoded in the HER2-positive-stem construct, shown for context); 0.8: a 20 % "
       "fall of ALDEFLUOR+/sphere-forming cells")
def csc_1() -> Outcome:
    from her2sim.engine import Protocol, simulate
    from her2sim.population.stem import STEM_CONSTRUCT, k_stem, run_hierarchy

    her2 = {name: float(simulate("MCF7", cons, Protocol().read("0min"), ["total HER2"])["value"].iloc[0])
            for name, cons in (("stem", (STEM_CONSTRUCT,)), ("non-stem", ()))}
    base = run_hierarchy("MCF7", (), days=7)
    tz = run_hierarchy("MCF7", TZ_DRUG, days=7)
    si = run_hierarchy("MCF7", (), days=7, constructs=("siHER2",))
    rel = {"trastuzumab": tz.stem_fraction / base.stem_fraction, "HER2 siRNA": si.stem_fraction / base.stem_fraction}
    checks = [Check("HER2 per stem / per non-stem cell", her2["stem"] / her2["non-stem"], ">=", 3.0),
              Check("stem fraction with trastuzumab / untreated", rel["trastuzumab"], "<=", SHRINK),
              Check("stem fraction with HER2 siRNA / untreated", rel["HER2 siRNA"], "<=", SHRINK)]
    return Outcome(checks, {"kind": "bars", "title": "MCF7 stem fraction after 7 days (seed 003)",
                            "groups": {k: {"stem fraction vs untreated": v} for k, v in rel.items()},
                            "reference": 1.0},
                   mode=f"stem hierarchy (population/stem.py); untreated stem fraction {base.stem_fraction:.3f}, "
                        f"STAT3 threshold for renewal {k_stem('MCF7'):.3f} set from the sourced 3 %")


@claim("S004-RAD-1",
       "MCF7 after 15 x 2 Gy (5 a week) and regrowth to day 35: stem fraction >= 1.5 x unirradiated; stem-cell "
       "clonogenic SF2 >= non-stem SF2 + 0.05; spheres from the irradiated population >= 1.5 x unirradiated",
       "1.5 x: 'enriches'; 0.05: clonogenic resolution")
def rad_1() -> Outcome:
    from her2sim.population.stem import lq_survival, run_hierarchy, sphere_units

    fir = run_hierarchy("MCF7", days=35, fractions_gy=FIR, fraction_interval_days=FIR_INTERVAL)
    ctrl = run_hierarchy("MCF7", days=35)
    sf2 = {"stem": lq_survival("MCF7", (), (), True)(2.0), "non-stem": lq_survival("MCF7", (), (), False)(2.0)}
    spheres = (sphere_units("MCF7", stem_fraction=fir.stem_fraction)
               / sphere_units("MCF7", stem_fraction=ctrl.stem_fraction))
    checks = [Check("stem fraction, irradiated / unirradiated", fir.stem_fraction / ctrl.stem_fraction, ">=", 1.5),
              Check("SF2 stem - non-stem", sf2["stem"] - sf2["non-stem"], ">=", SF_STEP),
              Check("spheres, irradiated / unirradiated population", spheres, ">=", 1.5)]
    curves = [{"label": f"MCF7 {k}", "doses": [0, 2, 4, 6, 8],
               "survival": [lq_survival("MCF7", (), (), k == "stem")(d) for d in (0, 2, 4, 6, 8)]} for k in sf2]
    return Outcome(checks, {"kind": "clonogenic", "title": "Clonogenic survival, MCF7 stem vs non-stem (seed 004)",
                            "curves": curves},
                   mode="stem hierarchy with linear-quadratic kill per fraction and regrowth between fractions")


@claim("S004-RAD-2",
       "radiation-selected HER2+ stem cells (MCF7): HER2 siRNA and trastuzumab 10 ug/mL each lower stem-cell SF2 by "
       ">= 0.05 and spheres (a week in sphere culture) to <= 0.8 x",
       "0.05: clonogenic resolution; 0.8: a 20 % fall of spheres")
def rad_2() -> Outcome:
    from her2sim.population.stem import lq_survival, sphere_units

    sf2 = lq_survival("MCF7", (), (), True)(2.0)
    spheres = sphere_units("MCF7")
    arms = {"HER2 siRNA": (("siHER2",), ()), "trastuzumab": ((), TZ_DRUG)}
    checks, bars = [], {}
    for name, (cons, drugs) in arms.items():
        arm_sf2 = lq_survival("MCF7", cons, drugs, True)(2.0)
        arm_spheres = sphere_units("MCF7", cons, drugs) / spheres
        bars[name] = {"SF2 (stem)": arm_sf2, "spheres vs control": arm_spheres}
        checks += [Check(f"stem SF2 fall with {name}", sf2 - arm_sf2, ">=", SF_STEP),
                   Check(f"spheres with {name} / control", arm_spheres, "<=", SHRINK)]
    bars["control"] = {"SF2 (stem)": sf2, "spheres vs control": 1.0}
    return Outcome(checks, {"kind": "bars", "title": "HER2 blockade in radiation-selected stem cells (seed 004)",
                            "groups": bars, "reference": None},
                   mode="stem hierarchy; radioresistance follows the network's survival signal (HER2 -> "
                        "AKT/STAT3/NF-kB)")


@claim("S001-RES-CSC",
       "BT474 after 24 weeks of trastuzumab (emergent; each state's stem hierarchy on trastuzumab throughout), 14 more "
       "days on trastuzumab: stem fraction >= 1.2 x parental BT474 untreated; adding a JAK2 inhibitor (1 uM) or a "
       "gamma-secretase inhibitor (1 uM) leaves the stem fraction <= 0.8 x and the cell number <= 0.9 x trastuzumab "
       "alone",
       "1.2 / 0.8: 'expand' / 'shrink' by 20 %, what ALDEFLUOR or sphere assays resolve; 0.9: 'restores "
       "sensitivity', a 10 % deeper growth inhibition on a cell count")
def res_csc() -> Outcome:
    from her2sim.population import STATES, state_parameters
    from her2sim.population.stem import run_hierarchy

    fractions = emergent("BT474", "chronic-trastuzumab").final_fractions()
    protocol_days = sum(step.days for step in load_protocol("chronic-trastuzumab")[1])
    parental = run_hierarchy("BT474", (), days=14)

    # each present state's hierarchy carries the protocol's months on trastuzumab: its (stem, non-stem) mix then
    states = {}
    for state in STATES:
        if fractions[state] > 0:
            own = tuple(sorted(state_parameters("BT474", (), state).items()))
            chronic = run_hierarchy("BT474", TZ_DRUG, days=protocol_days, state=own)
            states[state] = (own, (chronic.stem_fraction, 1 - chronic.stem_fraction))

    def mixture(drugs):
        """Stem fraction and cells of the population after 14 more days on ``drugs``."""
        stem = cells = 0.0
        for state, (own, start) in states.items():
            run = run_hierarchy("BT474", drugs, days=14, state=own, start=start)
            stem += fractions[state] * run.stem[-1]
            cells += fractions[state] * (run.stem[-1] + run.non_stem[-1])
        return stem / cells, cells

    tz_fraction, tz_cells = mixture(TZ_DRUG)
    checks = [Check("stem fraction, derived on trastuzumab / parental untreated",
                    tz_fraction / parental.stem_fraction, ">=", 1.2)]
    bars = {"trastuzumab": {"stem fraction vs parental": tz_fraction / parental.stem_fraction, "cells": 1.0}}
    for label, agent_name in (("JAK2 inhibitor", "JAK2-inhibitor"), ("gamma-secretase inhibitor",
                                                                      "gamma-secretase-inhibitor")):
        f, cells = mixture((*TZ_DRUG, (agent_name, "1uM")))
        checks += [Check(f"stem fraction with {label} / trastuzumab alone", f / tz_fraction, "<=", SHRINK),
                   Check(f"cells with {label} / trastuzumab alone", cells / tz_cells, "<=", 0.9)]
        bars[f"+ {label}"] = {"stem fraction vs parental": f / parental.stem_fraction, "cells": cells / tz_cells}
    return Outcome(checks, {"kind": "bars", "title": "Stem-like cells under chronic trastuzumab (seed 001)",
                            "groups": bars, "reference": 1.0},
                   mode="emergent BT474 population (chronic-trastuzumab protocol), each heritable state with its "
                        "stem hierarchy run on trastuzumab for the protocol's 24 weeks, weighted by the state "
                        "fractions")


__all__ = ["emergent", "emergent_lapatinib", "emergent_readouts"]


XENOGRAFT_WEEKS = 6
ESTABLISHED_DAY = 28  # ~10 x the inoculum, palpable: 'established'
BLOCKED = 0.25  # treated / control volume: growth 'blocked' (a 75 % smaller tumour)


@claim("S003-CSC-2",
       f"MCF7 xenograft, trastuzumab 10 ug/mL for {XENOGRAFT_WEEKS} weeks: started at inoculation, volume at the end "
       f"<= {BLOCKED} x control; started on established tumours (day {ESTABLISHED_DAY}), volume at the end >= 0.8 x "
       "control",
       f"{BLOCKED}: 'blocked subsequent growth'; 0.8: 'no effect', a 20 % difference is within the spread of "
       "xenograft groups of ~10 mice")
def csc_2() -> Outcome:
    from her2sim.population.xenograft import grow_xenograft, pace

    weeks = XENOGRAFT_WEEKS * 7
    end = ESTABLISHED_DAY + weeks
    control = grow_xenograft("MCF7", days=end)
    early = grow_xenograft("MCF7", TZ_DRUG, start_day=0, days=end)
    late = grow_xenograft("MCF7", TZ_DRUG, start_day=ESTABLISHED_DAY, days=end)
    checks = [Check("early trastuzumab: volume / control at end of treatment", early.at(weeks) / control.at(weeks),
                    "<=", BLOCKED),
              Check("trastuzumab on established tumours: volume / control at end of treatment",
                    late.at(end) / control.at(end), ">=", 0.8)]
    curves = [{"label": "control", "days": control.days, "volume": control.volume},
              {"label": "trastuzumab from inoculation", "days": early.days, "volume": early.volume, "start_day": 0},
              {"label": f"trastuzumab from day {ESTABLISHED_DAY}", "days": late.days, "volume": late.volume,
               "start_day": ESTABLISHED_DAY}]
    return Outcome(checks, {"kind": "growth", "title": "MCF7 xenograft and trastuzumab (seed 003)", "curves": curves},
                   mode="stem hierarchy in vivo (population/xenograft.py): non-stem cells have "
                        "transit_generations divisions left; every rate x the in vivo pace",
                   notes=f"pace {pace('MCF7'):.3f}; stem fraction control {control.stem_fraction[weeks]:.3f} at day "
                         f"{weeks} ({control.stem_fraction[0]:.3f} in the inoculum)")
