"""RT-qPCR: mRNA relative to the PP1A reference gene and to a control condition.

The model tracks mRNA per cell; PP1A (PPIA) is a housekeeping gene held constant
per cell, so the ddCt fold change equals the ratio of per-cell levels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from her2sim.engine import Protocol, simulate

GENES = {"RANK": "RANK mRNA", "BIRC3": "BIRC3 mRNA", "ICAM1": "ICAM1 mRNA", "TNFa": "TNFa mRNA",
         "IL8": "IL8 mRNA", "IL6": "IL6 mRNA"}
PP1A_PER_CELL = 1.0


def qpcr(
    samples: Mapping[str, tuple[str, Sequence[str], Protocol]],
    genes: Sequence[str],
    reference_sample: str,
    time_min: float,
) -> pd.DataFrame:
    """``samples``: label -> (cell line, constructs, protocol). Returns fold change vs reference sample."""
    rows = []
    for label, (line, constructs, protocol) in samples.items():
        table = simulate(line, constructs, protocol.read(time_min), [GENES[g] for g in genes])
        table = table[table["time"] == time_min]
        for gene, row in zip(genes, table.itertuples(), strict=True):
            rows.append({"sample": label, "gene": gene, "relative_to_PP1A": row.value / PP1A_PER_CELL})
    frame = pd.DataFrame(rows)
    reference = frame[frame["sample"] == reference_sample].set_index("gene")["relative_to_PP1A"]
    frame["fold_change"] = [v / reference[g] for v, g in zip(frame["relative_to_PP1A"], frame["gene"], strict=True)]
    return frame
