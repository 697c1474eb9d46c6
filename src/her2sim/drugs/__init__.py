"""Drugs and stimuli: what they bind, how a dose with units becomes nM."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from her2sim.errors import InputError
from her2sim.units import parse_concentration_nM


@dataclass(frozen=True)
class Agent:
    name: str
    species: str
    kind: str
    target: str
    mw: float  # g/mol
    mw_source: str
    aliases: tuple[str, ...] = ()

    def to_nM(self, dose: str | float) -> float:
        """Parse '1uM', '300 ng/mL', '10ug/mL' (or a number taken as nM) into nM."""
        return parse_concentration_nM(dose, molecular_weight=self.mw, what=f"dose of {self.name}")


@functools.cache
def agents() -> dict[str, Agent]:
    text = resources.files("her2sim.drugs").joinpath("agents.toml").read_text()
    table = {}
    for name, entry in tomllib.loads(text).items():
        table[name] = Agent(
            name=name,
            species=entry["species"],
            kind=entry["kind"],
            target=entry["target"],
            mw=float(entry["mw"]),
            mw_source=entry["mw_source"],
            aliases=tuple(entry.get("aliases", ())),
        )
    return table


def agent(name: str) -> Agent:
    """Look an agent up by name or alias, case-insensitively."""
    wanted = name.strip().lower()
    for candidate in agents().values():
        if wanted == candidate.name.lower() or wanted in (a.lower() for a in candidate.aliases):
            return candidate
    raise InputError(f"unknown agent {name!r}; allowed: {', '.join(agents())}")
