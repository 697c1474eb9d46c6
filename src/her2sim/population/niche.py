"""The bone niche: tumour cells bathed in RANKL made by osteoblasts and stromal cells.

Biology
- Bone is RANKL-rich: osteoblast-lineage cells keep making it (Xiong J et al. 2011
  Nat Med 17:1235), so cells there see RANKL continuously, not as one dose. Modelled
  as RANKL replenished every day at the concentration the seeds use in culture
  (100 ng/mL, seed 000), for a week.
- Luminal tumour cells in bone raise HER2 protein without ERBB2 amplification, through
  RANKL (seed 003); the route is RANK -> NF-kB -> ERBB2 transcription (signalling
  model, 10_erbb_receptors.ant). Denosumab or OPG in the niche take RANKL away.
"""

from __future__ import annotations

from her2sim.engine import Protocol
from her2sim.errors import InputError

NICHE_RANKL = "100ng/mL"


def bone_niche(days: int = 7, rankl: str = NICHE_RANKL, blocker: tuple[str, str] | None = None) -> Protocol:
    """RANKL replenished daily for ``days`` (with a RANKL blocker present from the start, if given)."""
    if days < 1:
        raise InputError(f"bone niche needs at least 1 day; got {days}")
    protocol = Protocol(name=f"bone niche {days} d" + (f" + {blocker[0]}" if blocker else ""))
    if blocker:
        protocol = protocol.add("0h", *blocker)
    for day in range(days):
        protocol = protocol.add(f"{24 * day}h", "RANKL", rankl)
    return protocol.read(f"{24 * days}h")


def primary_site(days: int = 7) -> Protocol:
    return Protocol(name=f"primary site {days} d").read(f"{24 * days}h")


__all__ = ["NICHE_RANKL", "bone_niche", "primary_site"]
