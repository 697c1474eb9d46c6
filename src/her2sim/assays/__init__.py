"""Virtual assays: turn simulated trajectories into what a lab measures."""

from her2sim.assays.relative import UNDETECTABLE_RELATIVE_LEVEL, relative_to_control

__all__ = ["UNDETECTABLE_RELATIVE_LEVEL", "relative_to_control"]
