"""What if Notch carried a mitogenic signal of its own?

S001-RES-CSC (seed 001) says gamma-secretase (Notch) inhibition restores trastuzumab sensitivity in cells
that have lived on trastuzumab. In the model trastuzumab releases Notch-1 in HER2-overexpressing cells
(Osipo 2008), which feeds the stem compartment, but NICD reaches no growth or survival output, so a
gamma-secretase inhibitor shrinks the stem fraction and leaves the cell count alone. Notch is mitogenic in
breast cancer cells in direction (cyclin D1 is a direct Notch target, Cohen B et al. 2010 Breast Cancer Res
Treat 123:113; Notch -> AKT via an autocrine loop, Meurette O et al. 2009 Cancer Res 69:5015), with no
magnitude found. This scans that weight (``w_growth_Notch``, 0 shipped) on the signalling model as it stands,
without refitting anything, and reports S001-RES-CSC's gamma-secretase check next to every in vitro claim and
the in vitro calibration rows it could disturb. A what-if, not a fit.

    python docs/analysis/notch_growth.py
"""

from her2sim.calibration import reference
from her2sim.claims.registry import evaluate, in_vitro_ids
from her2sim.engine.runner import parameter_values

WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3)  # 0.3: STAT3's assumed weight in the same sum
GSI_CHECK = "cells with gamma-secretase inhibitor / trastuzumab alone"


def row(weight: float) -> dict:
    with parameter_values({"w_growth_Notch": weight}):
        res_csc = evaluate("S001-RES-CSC")
        gsi = next(c.value for c in res_csc.checks if c.description == GSI_CHECK)
        broken = [cid for cid in in_vitro_ids() if evaluate(cid).status != "pass"]
        rows = {f"doubling {line} (h)": reference.doubling_time_h(line) for line in ("BT474", "SKBR3", "MCF7")}
        rows |= {f"trastuzumab survival {line}": reference.trastuzumab_survival(line) for line in ("BT474", "SKBR3")}
        rows |= {f"lapatinib IC50 {line} (uM)": reference.lapatinib_ic50(line) for line in ("BT474", "SKBR3")}
    return {"weight": weight, "GSI cells / trastuzumab": gsi, "S001-RES-CSC": res_csc.status,
            "in vitro claims not passing": ", ".join(broken) or "none", **rows}


if __name__ == "__main__":
    for w in WEIGHTS:
        r = row(w)
        print("  ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items()))
