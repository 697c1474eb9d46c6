"""CCK-8 viability: relative number of living cells after days of drug.

Seed 000 Methods: cells seeded, drug added 24 h later, read after 4 days;
CCK-8 signal is proportional to living cells. Relative survival is against
untreated cells of the same line and condition (same pre-treatments and
co-treatments, no dose of the drug being varied).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from her2sim.engine import Protocol, simulate
from her2sim.errors import InputError

LAPATINIB_SERIES_uM = (0.0, 0.0156, 0.03125, 0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


@dataclass(frozen=True)
class Treatment:
    """An agent added at a time relative to the drug (e.g. RANKL at -1d, with seeding)."""

    agent: str
    dose: str
    at: str = "0h"


@dataclass
class ViabilityCurve:
    cell_line: str
    constructs: tuple[str, ...]
    drug: str
    doses_uM: list[float]
    relative_survival: list[float]
    treatments: tuple[Treatment, ...] = ()
    days: float = 4.0
    label: str = ""
    raw_cells: list[float] = field(default_factory=list)

    def at(self, dose_uM: float) -> float:
        return self.relative_survival[self.doses_uM.index(dose_uM)]


def dose_protocol(drug: str, dose: str | None, treatments: Sequence[Treatment], days: float) -> Protocol:
    protocol = Protocol(name="cck8")
    for t in treatments:
        protocol = protocol.add(t.at, t.agent, t.dose)
    if dose is not None:
        protocol = protocol.add("0h", drug, dose)
    return protocol.read(days * 1440.0)


def cck8(
    cell_line: str,
    constructs: Sequence[str],
    drug: str,
    doses_uM: Sequence[float] = LAPATINIB_SERIES_uM,
    treatments: Sequence[Treatment] = (),
    days: float = 4.0,
    dose_unit: str = "uM",
    label: str = "",
    parameters: dict[str, float] | None = None,
) -> ViabilityCurve:
    """Relative survival per dose (dose 0 = 1 by definition)."""
    doses = [float(d) for d in doses_uM]
    if any((not np.isfinite(d)) or d < 0 for d in doses):
        raise InputError("doses must be finite and >= 0")
    if days <= 0:
        raise InputError(f"days must be > 0, got {days}")
    if 0.0 not in doses:
        doses = [0.0, *doses]
    cells = []
    for dose in doses:
        text = None if dose == 0 else f"{dose}{dose_unit}"
        protocol = dose_protocol(drug, text, treatments, days)
        table = simulate(cell_line, constructs, protocol, ["cells"], parameters=parameters)
        cells.append(float(table["value"].iloc[-1]))
    untreated = cells[doses.index(0.0)]
    return ViabilityCurve(cell_line, tuple(constructs), drug, doses, [c / untreated for c in cells],
                          tuple(treatments), days, label, cells)
