"""Viability claims: CCK-8 relative survival after 4 days of drug (seed 000 Methods).

Cells are seeded at day -1 (with RANKL where the seed adds it at seeding), drug
is added at day 0, living cells are read at day 4, relative to untreated cells
of the same line and condition. Resistance is compared through the area under
the relative-survival curve over log dose (AUC, mean survival) and IC50.
"""

from __future__ import annotations

from her2sim.analysis import fit_4pl
from her2sim.assays import LAPATINIB_SERIES_uM, Treatment, cck8
from her2sim.claims.registry import Check, Outcome, claim
from her2sim.engine.runner import result_cache

MORE_RESISTANT = 0.05  # AUC gain of >= 0.05 (5 points of mean survival): a visible right-shift of the curve
NO_CHANGE = 0.03  # |delta AUC| < 0.03: curves overlap within replicate SD
TZ = "10ug/mL"  # trastuzumab in vitro (seed 000 Fig. 3a; standard 10 ug/mL)
RISE = 1.2  # smallest change a blot or reporter resolves
RESIST = 0.10  # 10 points more survival under a fixed dose: resistance on a single-dose CCK-8
RANKL_AT_SEEDING = (Treatment("RANKL", "100ng/mL", "-1d"),)


def _curve_figure(title, curves):
    return {"kind": "dose_response", "title": title, "xlabel": "lapatinib (uM)",
            "curves": [{"label": c.label, "doses": c.doses_uM, "survival": c.relative_survival} for c in curves]}


@result_cache
def lapatinib_curve(line, constructs=(), treatments=(), label=""):
    return cck8(line, constructs, "lapatinib", LAPATINIB_SERIES_uM, treatments, label=label or line)


def auc(curve) -> float:
    return fit_4pl(curve.doses_uM, curve.relative_survival).auc


@claim("S000-VIA-1",
       "SKLR: RANKL raises the lapatinib AUC by 0.01-0.10 ('slightly') and by more than in SKBR3; SKBR3: "
       "|delta AUC| < 0.03 (no change)",
       "0.03: curves overlapping within replicate SD, the same 'no change' band as S000-VIA-3/4; 0.01: smallest "
       "shift distinguishable over the 12-dose series; 0.10: beyond that it is no longer slight")
def via_1() -> Outcome:
    curves = {
        (line, r): lapatinib_curve(line, ("shNT",), RANKL_AT_SEEDING if r else (), f"{line}{' + RANKL' if r else ''}")
        for line in ("SKBR3", "SKLR") for r in (False, True)
    }
    d_sklr = auc(curves[("SKLR", True)]) - auc(curves[("SKLR", False)])
    d_skbr3 = auc(curves[("SKBR3", True)]) - auc(curves[("SKBR3", False)])
    checks = [Check("SKLR delta AUC with RANKL (lower)", d_sklr, ">=", 0.01),
              Check("SKLR delta AUC with RANKL (upper)", d_sklr, "<", 0.10),
              Check("SKLR - SKBR3 delta AUC with RANKL", d_sklr - d_skbr3, ">", 0.0),
              Check("SKBR3 |delta AUC| with RANKL", abs(d_skbr3), "<", NO_CHANGE)]
    return Outcome(checks, _curve_figure("Lapatinib 4 d +/- RANKL (seed 000 Fig. S5A)", list(curves.values())))


@claim("S000-VIA-2",
       "relative survival of SKLR sh#3 below SKLR shNT by >= 0.03 at 0.0625, 0.125 and 0.25 uM; sh#4 below shNT "
       "by >= 0.03 at 0.125 uM and by less than sh#3 there; sh#3 lapatinib IC50 >= 2 x SKBR3's",
       "0.03: the paired differences the seed found significant with 4 experiments x 5 wells; 2-fold IC50: "
       "'not returned to SKBR3 sensitivity'")
def via_2() -> Outcome:
    nt = lapatinib_curve("SKLR", ("shNT",), (), "SKLR shNT")
    sh3 = lapatinib_curve("SKLR", ("shRANK-3",), (), "SKLR sh#3")
    sh4 = lapatinib_curve("SKLR", ("shRANK-4",), (), "SKLR sh#4")
    ref = lapatinib_curve("SKBR3", ("shNT",), (), "SKBR3 shNT")
    checks = [Check(f"shNT - sh#3 survival at {d} uM", nt.at(d) - sh3.at(d), ">=", 0.03) for d in (0.0625, 0.125, 0.25)]
    checks.append(Check("shNT - sh#4 survival at 0.125 uM", nt.at(0.125) - sh4.at(0.125), ">=", 0.03))
    checks.append(Check("sh#4 knock-down effect / sh#3 at 0.125 uM",
                        (nt.at(0.125) - sh4.at(0.125)) / max(nt.at(0.125) - sh3.at(0.125), 1e-9), "<", 1.0))
    ic50_sh3 = fit_4pl(sh3.doses_uM, sh3.relative_survival).ic50
    ic50_ref = fit_4pl(ref.doses_uM, ref.relative_survival).ic50
    checks.append(Check("IC50 SKLR sh#3 / SKBR3", ic50_sh3 / ic50_ref, ">=", 2.0))
    return Outcome(checks, _curve_figure("RANK knock-down in SKLR (seed 000 Fig. 4b)", [ref, nt, sh4, sh3]))


def _via3_curves(with_denosumab: bool):
    curves = {}
    for line in ("SKBR3", "BT474", "HCC1954"):
        for cons in ("empty-vector", "RANK-OE"):
            for rankl in (False, True):
                treatments = RANKL_AT_SEEDING if rankl else ()
                if with_denosumab:
                    treatments = (*treatments, Treatment("denosumab", "10ug/mL", "-1d"))
                name = f"{line} {cons.split('-')[0]}{' + RANKL' if rankl else ''}{' + Dmab' if with_denosumab else ''}"
                curves[(line, cons, rankl)] = lapatinib_curve(line, (cons,), treatments, name)
    return curves


@claim("S000-VIA-3",
       "empty vector: RANKL changes the lapatinib AUC by < 0.03; RANK-OE + RANKL: AUC >= 0.05 above both "
       "empty-vector curves and above RANK-OE alone, in SKBR3, BT474, HCC1954",
       "0.03: curves overlapping within replicate SD; 0.05: a visible right shift (two-way ANOVA significant)")
def via_3() -> Outcome:
    curves = _via3_curves(False)
    checks = []
    for line in ("SKBR3", "BT474", "HCC1954"):
        a = {key[1:]: auc(c) for key, c in curves.items() if key[0] == line}
        shift = abs(a[("empty-vector", True)] - a[("empty-vector", False)])
        checks.append(Check(f"{line} empty: |delta AUC| with RANKL", shift, "<", NO_CHANGE))
        best_other = max(a[("empty-vector", False)], a[("empty-vector", True)], a[("RANK-OE", False)])
        checks.append(Check(f"{line} RANK-OE + RANKL AUC gain", a[("RANK-OE", True)] - best_other, ">=",
                            MORE_RESISTANT))
    return Outcome(checks, _curve_figure("RANK-OE + RANKL and lapatinib (seed 000 Fig. 5c)", list(curves.values())))


@claim("S000-VIA-4",
       "with denosumab 10 ug/mL, RANK-OE + RANKL AUC is within 0.03 of RANK-OE without RANKL, in all three lines",
       "0.03: curves overlapping within replicate SD ('resistance abrogated')")
def via_4() -> Outcome:
    plain, dmab = _via3_curves(False), _via3_curves(True)
    checks = []
    for line in ("SKBR3", "BT474", "HCC1954"):
        residual = auc(dmab[(line, "RANK-OE", True)]) - auc(plain[(line, "RANK-OE", False)])
        checks.append(Check(f"{line} RANK-OE + RANKL + denosumab: AUC gain left", abs(residual), "<", NO_CHANGE))
    shown = [plain[(line, "RANK-OE", r)] for line in ("SKBR3",) for r in (False, True)]
    shown += [dmab[("SKBR3", "RANK-OE", True)]]
    return Outcome(checks, _curve_figure("Denosumab removes RANKL resistance (seed 000 Fig. S6A)", shown))


def single_dose(line, constructs, agents, days=4.0):
    """Relative survival after ``days`` of the listed (agent, dose) pairs, vs untreated same line."""
    constructs, agents = tuple(constructs), tuple(agents)
    return living_cells(line, constructs, agents, days) / living_cells(line, constructs, (), days)


@result_cache
def living_cells(line, constructs, agents, days):
    """Cells after ``days`` of the listed (agent, dose) pairs, from 1 at time 0 (growth medium)."""
    from her2sim.engine import Protocol, simulate

    protocol = Protocol(name="cck8")
    for agent, dose in agents:
        protocol = protocol.add("0h", agent, dose)
    return float(simulate(line, constructs, protocol.read(days * 1440.0), ["cells"])["value"].iloc[-1])


def _bars(title, groups, reference=None):
    return {"kind": "bars", "title": title, "groups": groups, "reference": reference}


@claim("S002-TZR-2",
       "BT-474-R: trastuzumab survival >= 0.85 (resistant); with IKK inhibitor (BMS-345541 2 uM) trastuzumab "
       "reduces survival relative to the inhibitor alone to within 0.10 of parental BT-474's trastuzumab response; "
       "parental BT-474: the IKK inhibitor alone changes survival by < 0.10",
       "0.10: single-dose CCK-8 resolution; 0.85: 'resistant' = under 15 % inhibition")
def tzr_2() -> Outcome:
    parental_tz = single_dose("BT474", (), [("trastuzumab", TZ)])
    parental_ikk = single_dose("BT474", (), [("IKK-inhibitor", "2uM")])
    r_tz = single_dose("BT-474-R", (), [("trastuzumab", TZ)])
    r_ikk = single_dose("BT-474-R", (), [("IKK-inhibitor", "2uM")])
    r_both = single_dose("BT-474-R", (), [("trastuzumab", TZ), ("IKK-inhibitor", "2uM")])
    restored = r_both / r_ikk
    checks = [Check("BT-474-R trastuzumab survival", r_tz, ">=", 0.85),
              Check("BT-474-R trastuzumab response with IKKi, minus parental response", restored - parental_tz,
                    "<", RESIST),
              Check("BT-474 |effect of IKKi alone|", abs(1 - parental_ikk), "<", RESIST)]
    return Outcome(checks, _bars("Trastuzumab 4 d relative survival (seed 002)", {
        "BT-474": {"trastuzumab": parental_tz, "IKKi": parental_ikk},
        "BT-474-R": {"trastuzumab": r_tz, "IKKi": r_ikk, "trastuzumab (on IKKi)": restored}}, 1.0))


def _resistance_to_trastuzumab(line, feature, extra_agents=()):
    base = single_dose(line, (), [("trastuzumab", TZ), *extra_agents]) / (
        single_dose(line, (), list(extra_agents)) if extra_agents else 1.0)
    with_feature = single_dose(line, (feature,), [("trastuzumab", TZ), *extra_agents]) / (
        single_dose(line, (feature,), list(extra_agents)) if extra_agents else 1.0)
    return base, with_feature


@claim("S001-RES-P95",
       "BT474 + p95HER2: trastuzumab survival >= parental + 0.10; lapatinib IC50 <= 3 x parental",
       "0.10: single-dose resolution; 3-fold IC50: 'stays lapatinib-sensitive'")
def res_p95() -> Outcome:
    base, p95 = _resistance_to_trastuzumab("BT474", "p95HER2")
    ic50 = {c: fit_4pl(curve.doses_uM, curve.relative_survival).ic50
            for c, curve in (("parental", lapatinib_curve("BT474")), ("p95", lapatinib_curve("BT474", ("p95HER2",))))}
    checks = [Check("trastuzumab survival, p95HER2 - parental", p95 - base, ">=", RESIST),
              Check("lapatinib IC50 p95HER2 / parental", ic50["p95"] / ic50["parental"], "<=", 3.0)]
    return Outcome(checks, _bars("p95HER2 (seed 001)", {"trastuzumab survival": {"BT474": base, "+p95HER2": p95},
                                                         "lapatinib IC50 (uM)": ic50}))


@claim("S001-RES-D16",
       "BT474 + HER2-delta16: resting p-HER2 >= 1.2 x parental and trastuzumab survival >= parental + 0.10",
       "1.2: blot resolution; 0.10: single-dose resolution")
def res_d16() -> Outcome:
    from her2sim.engine import Protocol, simulate

    base_p = simulate("BT474", (), Protocol().read("0min"), ["p-HER2"])["value"].iloc[0]
    d16_p = simulate("BT474", ("HER2d16",), Protocol().read("0min"), ["p-HER2"])["value"].iloc[0]
    base, d16 = _resistance_to_trastuzumab("BT474", "HER2d16")
    checks = [Check("resting p-HER2 delta16 / parental", d16_p / base_p, ">=", 1.2),
              Check("trastuzumab survival, delta16 - parental", d16 - base, ">=", RESIST)]
    return Outcome(checks, _bars("HER2-delta16 (seed 001)", {"trastuzumab survival": {"BT474": base, "+d16": d16}}))


@claim("S001-RES-PTEN",
       "BT474 PTEN-loss: trastuzumab survival >= parental + 0.10 and p-AKT under trastuzumab (24 h) >= 0.9 of its "
       "untreated level; trastuzumab + alpelisib 100 nM brings PTEN-loss survival to parental trastuzumab depth "
       "(<= parental + 0.05) with trastuzumab still adding >= 0.05 to alpelisib alone",
       "0.10/0.05: single-dose resolution; 0.9: 'AKT stays on'")
def res_pten() -> Outcome:
    from her2sim.assays import relative_to_control
    from her2sim.engine import Protocol

    parental = single_dose("BT474", (), [("trastuzumab", TZ)])
    loss = single_dose("BT474", ("PTEN-loss",), [("trastuzumab", TZ)])
    combo = single_dose("BT474", ("PTEN-loss",), [("trastuzumab", TZ), ("PI3K-inhibitor", "100nM")])
    pi3k = single_dose("BT474", ("PTEN-loss",), [("PI3K-inhibitor", "100nM")])
    akt = relative_to_control("BT474", ("PTEN-loss",), Protocol().add("0h", "trastuzumab", TZ).read("24h"), ["p-AKT"])
    checks = [Check("trastuzumab survival, PTEN-loss - parental", loss - parental, ">=", RESIST),
              Check("p-AKT under trastuzumab, PTEN-loss", float(akt["fraction_of_control"].iloc[0]), ">=", 0.9),
              Check("trastuzumab + alpelisib, PTEN-loss - parental trastuzumab", combo - parental, "<=", 0.05),
              Check("alpelisib alone - trastuzumab + alpelisib, PTEN-loss", pi3k - combo, ">=", 0.05)]
    return Outcome(checks, _bars("PTEN loss (seed 001)", {"survival": {
        "BT474 trastuzumab": parental, "PTEN-loss trastuzumab": loss, "PTEN-loss alpelisib": pi3k,
        "PTEN-loss trastuzumab+alpelisib": combo}}, 1.0))


@claim("S001-RES-IGF1R",
       "SKBR3 IGF1R-OE with IGF-1 50 ng/mL: trastuzumab survival >= parental (with IGF-1) + 0.10; adding the "
       "IGF-1R antibody (10 ug/mL) brings it within 0.05 of parental",
       "0.10/0.05: single-dose resolution")
def res_igf1r() -> Outcome:
    igf = (("IGF-1", "50ng/mL"),)
    block = (("IGF-1", "50ng/mL"), ("IGF1R-antibody", "10ug/mL"))
    base, oe = _resistance_to_trastuzumab("SKBR3", "IGF1R-OE", igf)
    _, oe_blocked = _resistance_to_trastuzumab("SKBR3", "IGF1R-OE", block)
    checks = [Check("trastuzumab survival, IGF1R-OE - parental (+IGF-1)", oe - base, ">=", RESIST),
              Check("with IGF-1R antibody, IGF1R-OE - parental", oe_blocked - base, "<=", 0.05)]
    return Outcome(checks, _bars("IGF-1R (seed 001)", {"trastuzumab survival": {
        "SKBR3 +IGF-1": base, "IGF1R-OE +IGF-1": oe, "IGF1R-OE +IGF-1 +anti-IGF-1R": oe_blocked}}, 1.0))


@claim("S001-RES-EGFR",
       "SKBR3 EGFR-OE with EGF 10 ng/mL: trastuzumab survival >= parental (with EGF) + 0.10; lapatinib 1 uM "
       "survival in EGFR-OE <= 0.5",
       "0.10: single-dose resolution; 0.5: 'overcomes' = at least half the cells lost")
def res_egfr() -> Outcome:
    egf = (("EGF", "10ng/mL"),)
    base, oe = _resistance_to_trastuzumab("SKBR3", "EGFR-OE", egf)
    lap = single_dose("SKBR3", ("EGFR-OE",), [("EGF", "10ng/mL"), ("lapatinib", "1uM")]) / single_dose(
        "SKBR3", ("EGFR-OE",), [("EGF", "10ng/mL")])
    checks = [Check("trastuzumab survival, EGFR-OE - parental (+EGF)", oe - base, ">=", RESIST),
              Check("lapatinib survival, EGFR-OE + EGF", lap, "<=", 0.5)]
    return Outcome(checks, _bars("EGFR co-expression (seed 001)", {"survival": {
        "SKBR3 +EGF, trastuzumab": base, "EGFR-OE +EGF, trastuzumab": oe, "EGFR-OE +EGF, lapatinib": lap}}, 1.0))


@claim("S001-RES-MUC4",
       "BT474 MUC4-high: trastuzumab bound to HER2 <= 0.5 x parental and trastuzumab survival >= parental + 0.10 "
       "in vitro (the in vivo ADCC half is decided in the patient layer)",
       "0.5: a halving of bound antibody (flow cytometry); 0.10: single-dose resolution")
def res_muc4() -> Outcome:
    from her2sim.engine import Protocol, simulate

    protocol = Protocol().add("0h", "trastuzumab", TZ).read("1h")
    bound = {c: float(simulate("BT474", cons, protocol, ["obs_trastuzumab_bound"])["value"].iloc[-1])
             for c, cons in (("parental", ()), ("MUC4", ("MUC4-high",)))}
    base, muc4 = _resistance_to_trastuzumab("BT474", "MUC4-high")
    checks = [Check("trastuzumab bound, MUC4-high / parental", bound["MUC4"] / bound["parental"], "<=", 0.5),
              Check("trastuzumab survival, MUC4-high - parental", muc4 - base, ">=", RESIST)]
    return Outcome(checks, _bars("MUC4 masking (seed 001)", {"trastuzumab survival": {"BT474": base, "MUC4": muc4},
                                                              "bound trastuzumab": bound}),
                   notes="ADCC by Fc-gamma-receptor effectors is absent in vitro; see S001-MOA-2 (patient layer)")


@claim("S001-RES-HSP90",
       "BT474 HSP90-dependent (p95HER2): tanespimycin 100 nM 24 h leaves HER2 and p95HER2 <= 0.5 of untreated; "
       "trastuzumab survival >= parental + 0.10; trastuzumab + tanespimycin 30 nM reaches parental trastuzumab "
       "depth (<= parental + 0.05) with trastuzumab still adding >= 0.05 to tanespimycin alone",
       "0.5: 'degrades'; 0.10/0.05: single-dose resolution")
def res_hsp90() -> Outcome:
    from her2sim.assays import relative_to_control
    from her2sim.engine import Protocol

    hsp = Protocol().add("0h", "HSP90-inhibitor", "100nM").read("24h")
    table = relative_to_control("BT474", ("HSP90-dependent",), hsp, ["total HER2", "total p95HER2"])
    rel = dict(zip(table["observable"], table["fraction_of_control"], strict=True))
    parental = single_dose("BT474", (), [("trastuzumab", TZ)])
    dep = single_dose("BT474", ("HSP90-dependent",), [("trastuzumab", TZ)])
    combo = single_dose("BT474", ("HSP90-dependent",), [("trastuzumab", TZ), ("HSP90-inhibitor", "30nM")])
    alone = single_dose("BT474", ("HSP90-dependent",), [("HSP90-inhibitor", "30nM")])
    checks = [Check("HER2 after tanespimycin", rel["total HER2"], "<=", 0.5),
              Check("p95HER2 after tanespimycin", rel["total p95HER2"], "<=", 0.5),
              Check("trastuzumab survival, HSP90-dependent - parental", dep - parental, ">=", RESIST),
              Check("trastuzumab + tanespimycin - parental trastuzumab", combo - parental, "<=", 0.05),
              Check("tanespimycin alone - trastuzumab + tanespimycin", alone - combo, ">=", 0.05)]
    return Outcome(checks, _bars("HSP90 (seed 001)", {"survival": {
        "BT474 trastuzumab": parental, "HSP90-dep trastuzumab": dep, "HSP90-dep tanespimycin": alone,
        "HSP90-dep trastuzumab+tanespimycin": combo}, "after tanespimycin 100 nM": rel}, 1.0))


@claim("S001-RES-ER",
       "BT474 (ER+): lapatinib 0.1 uM 24 h raises ER activity >= 1.2-fold; 4 days of lapatinib + tamoxifen 1 uM "
       "leaves survival >= 0.05 below lapatinib alone; in ER- SKBR3 tamoxifen adds < 0.02",
       "1.2: blot/reporter resolution; 0.05: single-dose resolution; 0.02: no effect without ER")
def res_er() -> Outcome:
    from her2sim.assays import relative_to_control
    from her2sim.engine import Protocol

    er = relative_to_control("BT474", (), Protocol().add("0h", "lapatinib", "0.1uM").read("24h"), ["ER activity"])
    er_fold = float(er["fraction_of_control"].iloc[0])
    lap = single_dose("BT474", (), [("lapatinib", "0.1uM")])
    both = single_dose("BT474", (), [("lapatinib", "0.1uM"), ("tamoxifen", "1uM")])
    sk_lap = single_dose("SKBR3", (), [("lapatinib", "0.1uM")])
    sk_both = single_dose("SKBR3", (), [("lapatinib", "0.1uM"), ("tamoxifen", "1uM")])
    checks = [Check("ER activity under lapatinib, BT474", er_fold, ">=", RISE),
              Check("survival lapatinib - lapatinib+tamoxifen, BT474", lap - both, ">=", 0.05),
              Check("survival lapatinib - lapatinib+tamoxifen, SKBR3 (ER-)", abs(sk_lap - sk_both), "<", 0.02)]
    return Outcome(checks, _bars("ER escape (seed 001)", {"BT474": {"lapatinib": lap, "lapatinib+tamoxifen": both},
                                                           "SKBR3": {"lapatinib": sk_lap,
                                                                     "lapatinib+tamoxifen": sk_both}}, 1.0))
