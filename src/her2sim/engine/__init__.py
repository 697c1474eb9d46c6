"""Engine: run a protocol on a variant of the model (libroadrunner)."""

from her2sim.engine.protocol import Event, Protocol
from her2sim.engine.runner import READOUTS, resting_state, run_protocol, simulate, variant_sbml

__all__ = ["Event", "Protocol", "READOUTS", "resting_state", "run_protocol", "simulate", "variant_sbml"]
