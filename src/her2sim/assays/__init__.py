"""Virtual assays: turn simulated trajectories into what a lab measures."""

from her2sim.assays.blot import DETECTION_FLOOR, immunoblot
from her2sim.assays.coip import co_ip_rank
from her2sim.assays.qpcr import qpcr
from her2sim.assays.relative import UNDETECTABLE_RELATIVE_LEVEL, relative_to_control
from her2sim.assays.viability import LAPATINIB_SERIES_uM, Treatment, ViabilityCurve, cck8

__all__ = [
    "DETECTION_FLOOR", "LAPATINIB_SERIES_uM", "Treatment", "UNDETECTABLE_RELATIVE_LEVEL", "ViabilityCurve",
    "cck8", "co_ip_rank", "immunoblot", "qpcr", "relative_to_control",
]
