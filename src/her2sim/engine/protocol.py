"""Protocols: what is done to cells, as a list of timed events.

Times are minutes relative to the protocol's time zero (the first drug, say);
events may lie before zero (serum starvation 12 h before, RANKL a day before).
A protocol knows nothing of the engine that runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from her2sim.drugs import agent as lookup_agent
from her2sim.errors import InputError
from her2sim.units import parse_time_min


@dataclass(frozen=True)
class Event:
    time: float  # minutes
    action: str  # "add" | "serum" | "wash" | "remove"
    agent: str | None = None  # canonical agent name
    species: str | None = None
    concentration_nM: float | None = None
    serum: float | None = None
    label: str = ""


@dataclass(frozen=True)
class Protocol:
    """Timed events and readout times (minutes). Build with the fluent helpers."""

    events: tuple[Event, ...] = ()
    readouts: tuple[float, ...] = ()
    name: str = "protocol"

    # ---- builders (each returns a new protocol) --------------------------------
    def starve(self, before: str | float = "12h", at: str | float = "0min") -> Protocol:
        """Serum-free medium from ``before`` ahead of ``at`` (seed 000: 12 h)."""
        start = _time(at) - _time(before, allow_negative=False)
        return self._with(Event(start, "serum", serum=0.0, label=f"serum starvation {before}"))

    def serum(self, at: str | float, level: float = 1.0) -> Protocol:
        if not 0.0 <= level <= 1.0:
            raise InputError(f"serum level {level} is outside 0..1")
        return self._with(Event(_time(at), "serum", serum=level, label=f"serum {level:g}"))

    def add(self, at: str | float, agent: str, dose: str) -> Protocol:
        found = lookup_agent(agent)
        concentration = found.to_nM(dose)
        return self._with(
            Event(_time(at), "add", agent=found.name, species=found.species, concentration_nM=concentration,
                  label=f"{found.name} {dose}")
        )

    def remove(self, at: str | float, agent: str) -> Protocol:
        found = lookup_agent(agent)
        return self._with(Event(_time(at), "remove", agent=found.name, species=found.species,
                                label=f"remove {found.name}"))

    def wash(self, at: str | float) -> Protocol:
        """Fresh medium: every added agent removed (serum state kept)."""
        return self._with(Event(_time(at), "wash", label="wash"))

    def read(self, *times: str | float) -> Protocol:
        return replace(self, readouts=tuple(sorted(set(self.readouts) | {_time(t) for t in times})))

    def named(self, name: str) -> Protocol:
        return replace(self, name=name)

    def without_agents(self, keep: tuple[str, ...] = ()) -> Protocol:
        """The matching control: same medium changes, no agent additions (except ``keep``)."""
        events = tuple(e for e in self.events if e.action != "add" or e.agent in keep)
        return replace(self, events=events, name=f"{self.name} control")

    # ---- queries --------------------------------------------------------------------
    @property
    def start(self) -> float:
        return min([0.0, *(e.time for e in self.events)])

    @property
    def end(self) -> float:
        return max([0.0, *self.readouts, *(e.time for e in self.events)])

    def describe(self) -> str:
        parts = [f"{e.time / 60:+.2f} h {e.label}" for e in self.events]
        reads = ", ".join(f"{t / 60:.3g} h" for t in self.readouts)
        return "; ".join(parts) + (f"; read at {reads}" if reads else "")

    def _with(self, event: Event) -> Protocol:
        events = tuple(sorted((*self.events, event), key=lambda e: e.time))
        return replace(self, events=events)


def _time(value: str | float, allow_negative: bool = True) -> float:
    if isinstance(value, int | float):
        return float(value)
    return parse_time_min(value, allow_negative=allow_negative)


@dataclass
class ProtocolBuilder:
    """Parse CLI-style strings: '0h:lapatinib=1uM', read '2h10min', starve '12h'."""

    protocol: Protocol = field(default_factory=Protocol)

    def add_spec(self, spec: str) -> ProtocolBuilder:
        if ":" not in spec or "=" not in spec:
            raise InputError(f"addition {spec!r} is malformed; give TIME:AGENT=DOSE, e.g. 0h:lapatinib=1uM")
        when, rest = spec.split(":", 1)
        name, dose = rest.split("=", 1)
        self.protocol = self.protocol.add(when.strip(), name.strip(), dose.strip())
        return self
