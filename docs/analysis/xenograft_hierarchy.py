"""What if the MCF7 xenograft's hierarchy were different: longer-lived non-stem progeny, or an inoculum in
which only stem cells engraft?

S003-CSC-2 (seed 003) says trastuzumab given at inoculation blocks MCF7 xenograft growth while on
established tumours it has no effect. In the model non-stem cells have ``transit_generations`` (5) divisions
left in vivo and the whole inoculum engrafts. Two changes could separate early from late treatment: more
divisions left (an established tumour's bulk grows for weeks without new stem-cell output, so blocking stem
renewal would not show within 6 weeks) and a stem-only take (Al-Hajj 2003: only CD44+/CD24-low cells form
tumours, so early growth would hang on the few stem cells trastuzumab acts on). The untreated xenograft keeps
its 5-day volume doubling at each row (the in vivo pace is refitted). A what-if, not a fit.

    python docs/analysis/xenograft_hierarchy.py
"""

import numpy as np
from scipy.linalg import expm

from her2sim.population import xenograft
from her2sim.population.dynamics import population_values

TRASTUZUMAB = (("trastuzumab", "10ug/mL"),)
GENERATIONS = (5, 8, 12, 20)
WEEKS, ESTABLISHED_DAY = 6, 28


def row(generations: int, stem_only: bool) -> dict:
    with population_values({"transit_generations": generations}):
        pace = xenograft.pace("MCF7")
        untreated = xenograft.hierarchy_in_vivo("MCF7", (), pace)
        treated = xenograft.hierarchy_in_vivo("MCF7", TRASTUZUMAB, pace)
        start = xenograft.inoculum("MCF7")
    if stem_only:
        start = np.eye(len(start))[0] * start[0]  # the stem cells alone take

    def volume(treatment_start: float, day: float) -> float:
        before = expm(untreated * treatment_start) @ start
        return float((expm(treated * (day - treatment_start)) @ before).sum())

    days, end = WEEKS * 7, ESTABLISHED_DAY + WEEKS * 7
    established = expm(untreated * ESTABLISHED_DAY) @ start
    return {"early": volume(0, days) / volume(days, days),
            "established": volume(ESTABLISHED_DAY, end) / volume(end, end),
            "stem_fraction_established": float(established[0] / established.sum()),
            "growth_rate_ratio": float(np.linalg.eigvals(treated).real.max() / np.linalg.eigvals(untreated).real.max())}


def main() -> None:
    print("non-stem divisions left | inoculum | early / control (<= 0.25) | established / control (>= 0.8) | "
          "stem fraction at day 28 | growth rate on / off trastuzumab")
    for generations in GENERATIONS:
        for stem_only in (False, True):
            r = row(generations, stem_only)
            print(f"{generations} | {'stem cells only' if stem_only else 'all cells'} | {r['early']:.3f} | "
                  f"{r['established']:.3f} | {r['stem_fraction_established']:.3f} | {r['growth_rate_ratio']:.3f}")


if __name__ == "__main__":
    main()
