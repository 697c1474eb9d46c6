"""The reference way of running one her2sim protocol: plain libroadrunner calls, no her2sim caches.

Shared by the benchmarks: given the absolute parameter values of a variant and a protocol, reset the
model, set the values, pre-equilibrate in growth medium, then step through the protocol's events and
read the selections at the readout times.
"""

from __future__ import annotations

import roadrunner

from her2sim.engine.runner import PREEQUILIBRATION_MIN, configure_integrator


def plain_roadrunner(rr: roadrunner.RoadRunner, params: dict, protocol, selections, sample_times=()) -> list[float]:
    rr.resetToOrigin()
    configure_integrator(rr)
    for name, value in params.items():
        rr.setValue(name, value)
    rr.reset()
    rr.setValue("growth_on", 0.0)
    rr.simulate(0, PREEQUILIBRATION_MIN, 2)
    rr.setValue("cells", 1.0)
    rr.setValue("growth_on", 1.0)
    times = sorted(set(protocol.readouts) | set(sample_times))
    points = sorted({e.time for e in protocol.events} | set(times))
    pending, clock, out, added = list(protocol.events), protocol.start, [], set()
    for point in points:
        if point > clock:
            rr.simulate(0, point - clock, 2)
            clock = point
        while pending and pending[0].time <= clock:
            event = pending.pop(0)
            if event.action == "add":
                rr.setValue(event.species, rr.getValue(event.species) + event.concentration_nM)
                added.add(event.species)
            elif event.action == "serum":
                rr.setValue("serum", event.serum)
            elif event.action in ("wash", "remove"):
                for species in (added if event.action == "wash" else {event.species}):
                    rr.setValue(species, 0.0)
        if point in times:
            out.extend(rr.getValue(s) for s in selections)
    return out
