"""Readouts relative to the matched untreated control of the same line.

The control is the same protocol with the same medium changes (serum
starvation, washes) but without agent additions, unless told to keep some
(e.g. lapatinib-only lanes as control for lapatinib + RANKL).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from her2sim.engine import Protocol, simulate
from her2sim.engine.runner import READOUTS
from her2sim.variants import canonical_names

# A control signal below this (absolute model units, nM-eq) means the line does
# not express the species at all (e.g. EGFR in SKBR3): nothing to normalise to.
UNDETECTABLE_RELATIVE_LEVEL = 1e-9


def relative_to_control(
    cell_line: str,
    constructs: Sequence[str],
    protocol: Protocol,
    readouts: Sequence[str],
    keep_in_control: tuple[str, ...] = (),
    parameters: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Tidy table: observable, time, value, control, fraction_of_control (NaN-free: None when undetectable)."""
    line, construct_names = canonical_names(cell_line, constructs)
    treated = simulate(line, construct_names, protocol, readouts, parameters=parameters)
    control = simulate(line, construct_names, protocol.without_agents(keep=keep_in_control), readouts,
                       parameters=parameters)
    merged = treated.merge(control[["observable", "time", "value"]], on=["observable", "time"],
                           suffixes=("", "_control"))
    merged = merged.rename(columns={"value_control": "control"})
    fractions = []
    for value, base in zip(merged["value"], merged["control"], strict=True):
        fractions.append(value / base if base > UNDETECTABLE_RELATIVE_LEVEL else None)
    merged["fraction_of_control"] = pd.Series(fractions, dtype=object)
    merged["model_id"] = merged["observable"].map(READOUTS)
    return merged
