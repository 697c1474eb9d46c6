"""Claims of layers not built yet: registered as pending, with the layer they wait for."""

from her2sim.claims.registry import pending

POPULATION = ("population layer: cell states, chronic exposure, the bone niche, the stem hierarchy and radiation "
              "exist; xenograft growth is not built yet: with in vitro rates the hierarchy only slows under "
              "trastuzumab, and blocking early growth while sparing established tumours needs in vivo growth "
              "limits, tumour initiation by stem cells and Fc-mediated killing of the few HER2+ cells of a small "
              "inoculum (Clynes 2000), none of them built")
PATIENT = "patient layer (pharmacokinetics, virtual cohorts, trials) not built yet"

for claim_id in ("S003-CSC-2",):
    pending(claim_id, POPULATION)

for claim_id in ("S000-IHC-1", "S000-IHC-2", "S000-PAM-1", "S000-PAM-2", "S004-REC-1", "S001-MOA-2",
                 "S001-RES-HET", "S001-RES-IMM", "S001-CLIN-1"):
    pending(claim_id, PATIENT)
