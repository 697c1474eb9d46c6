"""Phospho-immunoblot: band intensities relative to a reference lane.

A band below ``DETECTION_FLOOR`` of the reference lane reads as undetectable
(ECL film/imager dynamic range of about one decade, as in seed 000 Fig. 4c).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from her2sim.engine import Protocol, simulate

DETECTION_FLOOR = 0.10


def immunoblot(
    cell_line: str,
    constructs: Sequence[str],
    lanes: Mapping[str, Protocol],
    readouts: Sequence[str],
    reference_lane: str,
    time_min: float,
    parameters: dict[str, float] | None = None,
) -> pd.DataFrame:
    """One row per lane x readout: value, band (relative to reference lane), detectable."""
    if reference_lane not in lanes:
        raise ValueError(f"reference lane {reference_lane!r} is not among {list(lanes)}")
    rows = []
    for lane, protocol in lanes.items():
        table = simulate(cell_line, constructs, protocol.read(time_min), readouts, parameters=parameters)
        table = table[table["time"] == time_min]
        for row in table.itertuples():
            rows.append({"lane": lane, "observable": row.observable, "value": row.value})
    blot = pd.DataFrame(rows)
    reference = blot[blot["lane"] == reference_lane].set_index("observable")["value"]
    pairs = zip(blot["value"], blot["observable"], strict=True)
    blot["band"] = [v / reference[o] if reference[o] > 0 else 0.0 for v, o in pairs]
    blot["detectable"] = blot["band"] >= DETECTION_FLOOR
    blot["cell_line"] = cell_line
    blot["constructs"] = "+".join(constructs)
    return blot
