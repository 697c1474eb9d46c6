"""Claims of layers not built yet: registered as pending, with the layer they wait for."""

from her2sim.claims.registry import pending

POPULATION = ("population layer: cell states, chronic exposure, the bone niche, the stem hierarchy and radiation "
              "exist; xenograft growth is not built yet: with in vitro rates the hierarchy only slows under "
              "trastuzumab, and blocking early growth while sparing established tumours needs in vivo growth "
              "limits, tumour initiation by stem cells and Fc-mediated killing of the few HER2+ cells of a small "
              "inoculum (Clynes 2000), none of them built")
PATIENT = {
    "S004-REC-1": "recurrence cohort (primary vs recurrent tumours with the stem hierarchy in vivo) not built yet",
}

for claim_id in ("S003-CSC-2",):
    pending(claim_id, POPULATION)

for claim_id, reason in PATIENT.items():
    pending(claim_id, reason)
