"""Held-out check of trastuzumab's own in vivo effect: first-line trastuzumab alone in metastatic disease.

Vogel CL et al. 2002 J Clin Oncol 20:719: weekly trastuzumab alone, first line, 114 women with HER2
IHC 2+/3+ metastatic breast cancer; objective response 26 % overall, 34 % (95 % CI 24-46 %) in the
FISH-amplified tumours, 7 % in the non-amplified ones. Neither number was used to build or calibrate
the model (its chemotherapy arm is calibrated to Slamon 2001's chemotherapy alone; the trastuzumab arm
with chemotherapy, S001-CLIN-1, is held out too).

Here: the virtual first-line metastatic cohort (all HER2-amplified, 4000 patients, seed 0) on weekly
trastuzumab without chemotherapy until progression, assessed as in `trials/metastatic.py`; once as the
model stands and once without the effector (ADCC) arm, which separates the direct signalling effect.
Needs the metastatic rates cached (run `her2sim trial metastatic --patients 10` once).

    python docs/analysis/trastuzumab_monotherapy.py
"""

import numpy as np
from lifelines import KaplanMeierFitter

from her2sim.errors import InputError
from her2sim.trials import metastatic, pamela, tumour
from her2sim.trials.engine import cached_rates

OBSERVED_RESPONSE_AMPLIFIED = 0.34  # Vogel 2002, FISH-amplified tumours


def main() -> None:
    rates = cached_rates("metastatic")
    if rates is None:
        raise InputError("no cached metastatic rates for this model; run `her2sim trial metastatic --patients 10`")
    rows = metastatic.cohort(0, range(4000))
    records = rows.to_dict("records")
    untreated = np.stack([rates[tumour.archetype_of(r).key()] for r in records])
    treated = np.stack([rates[tumour.archetype_of(r, "trastuzumab").key()] for r in records])
    no_chemo = np.zeros(len(rows))
    print("arm | objective response | median PFS (months)")
    for label, adcc in (("trastuzumab alone", pamela.adcc_per_day(rows)), ("without ADCC", no_chemo)):
        arm = metastatic._arm(rows, untreated, treated, adcc, no_chemo)
        pfs = KaplanMeierFitter().fit(arm["pfs_months"], arm["progressed"]).median_survival_time_
        print(f"{label} | {arm['response'].mean():.3f} | {pfs:.2f}")
    print(f"Vogel 2002, FISH-amplified | {OBSERVED_RESPONSE_AMPLIFIED} | -")


if __name__ == "__main__":
    main()
