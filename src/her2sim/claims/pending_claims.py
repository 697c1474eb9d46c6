"""Claims of layers not built yet: registered as pending, with the layer they wait for."""

from her2sim.claims.registry import pending

POPULATION = ("population layer: cell states, chronic exposure, the bone niche, the stem hierarchy and radiation "
              "exist; xenograft growth (in vivo growth limits, tumour initiation) is not built yet")
PATIENT = "patient layer (pharmacokinetics, virtual cohorts, trials) not built yet"

for claim_id in ("S003-CSC-2",):
    pending(claim_id, POPULATION)

for claim_id in ("S000-IHC-1", "S000-IHC-2", "S000-PAM-1", "S000-PAM-2", "S004-REC-1", "S001-MOA-2",
                 "S001-RES-HET", "S001-RES-IMM", "S001-CLIN-1"):
    pending(claim_id, PATIENT)
