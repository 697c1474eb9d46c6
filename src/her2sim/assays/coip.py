"""Co-immunoprecipitation: how much of a prey protein comes down with a bait.

The model's RANK-HER2 complex (rank module) forms from RANK and any HER2 form
that keeps HER2's carboxy-terminal region (full-length, p95HER2/611-CTF,
delta16). Pulling a bait down recovers the complex in proportion to the bait's
share of that pool; a bait outside the pool (742-NTF) recovers nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import libsbml

from her2sim.engine import Protocol, simulate
from her2sim.model import base_sbml

BAITS = {
    "HER2": ("HER2", "pHER2"),
    "611-CTF": ("p95HER2", "pp95HER2"),
    "742-NTF": ("HER2_NTF",),
    "HER2-delta16": ("HER2d16", "pHER2d16"),
}
DETECTION_FRACTION = 0.01  # prey in the IP at >= 1 % of its input shows as a band


def co_ip_rank(cell_line: str, constructs: Sequence[str], bait: str) -> dict:
    """RANK recovered by immunoprecipitating ``bait``, as a fraction of RANK input (resting cells)."""
    ids = ["RANK_HER2", "HER2_Cterm_total", "RANK_total", *BAITS[bait]]
    table = simulate(cell_line, constructs, Protocol().read("0min"), ids)
    value = dict(zip(table["observable"], table["value"], strict=True))
    # RANK binds what the model's HER2_Cterm_total pool contains (forms with the carboxy-terminal region)
    in_pool = set(BAITS[bait]) <= c_terminal_pool()
    bait_amount = sum(value[s] for s in BAITS[bait])
    share = bait_amount / value["HER2_Cterm_total"] if in_pool and value["HER2_Cterm_total"] > 0 else 0.0
    recovered = value["RANK_HER2"] * share
    fraction = recovered / value["RANK_total"] if value["RANK_total"] > 0 else 0.0
    return {"bait": bait, "bait_input": bait_amount, "rank_input": value["RANK_total"], "rank_in_ip": recovered,
            "fraction_of_input": fraction, "detected": fraction >= DETECTION_FRACTION}


@functools.cache
def c_terminal_pool() -> frozenset[str]:
    """Species in the model's HER2_Cterm_total rule: the HER2 forms RANK can bind."""
    model = libsbml.readSBMLFromString(base_sbml()).getModel()
    formula = libsbml.formulaToL3String(model.getRule("HER2_Cterm_total").getMath())
    return frozenset(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", formula))
