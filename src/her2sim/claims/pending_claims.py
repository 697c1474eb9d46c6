"""Claims of layers not built yet: registered as pending, with the layer they wait for."""

from her2sim.claims.registry import pending

POPULATION = ("population layer: cell states, chronic exposure, the bone niche, the stem hierarchy and radiation "
              "exist; xenograft growth is not built yet: with in vitro rates the hierarchy only slows under "
              "trastuzumab, and blocking early growth while sparing established tumours needs in vivo growth "
              "limits, tumour initiation by stem cells and Fc-mediated killing of the few HER2+ cells of a small "
              "inoculum (Clynes 2000), none of them built")
PATIENT = {
    "S000-IHC-1": "IHC H-score readout of RANK/RANKL protein not built yet (the trial has nCounter-like mRNA only)",
    "S000-IHC-2": "age and Ki67 associations need an IHC cohort with Ki67 and grade readouts: not built yet",
    "S004-REC-1": "recurrence cohort (primary vs recurrent tumours with the stem hierarchy in vivo) not built yet",
    "S001-CLIN-1": "metastatic chemotherapy +/- trastuzumab trial (chemotherapy PK/PD, progression, Kaplan-Meier) "
                   "not built yet",
}

for claim_id in ("S003-CSC-2",):
    pending(claim_id, POPULATION)

for claim_id, reason in PATIENT.items():
    pending(claim_id, reason)
