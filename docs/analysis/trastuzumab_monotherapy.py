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

from lifelines import KaplanMeierFitter

from her2sim.data import reference_value
from her2sim.errors import InputError
from her2sim.trials import metastatic
from her2sim.trials.engine import cached_rates

OBSERVED_RESPONSE_AMPLIFIED = reference_value("objective_response", "vogel_trastuzumab")


def main() -> None:
    rates = cached_rates("metastatic")
    if rates is None:
        raise InputError("no cached metastatic rates for this model; run `her2sim trial metastatic --patients 10`")
    rows = metastatic.cohort(0, range(4000))
    print("arm | objective response | median PFS (months)")
    for label, adcc_scale in (("trastuzumab alone", 1.0), ("without ADCC", 0.0)):
        arm = metastatic.trastuzumab_alone(rows, rates, adcc_scale)
        pfs = KaplanMeierFitter().fit(arm["pfs_months"], arm["progressed"]).median_survival_time_
        print(f"{label} | {arm['response'].mean():.3f} | {pfs:.2f}")
    print(f"Vogel 2002, FISH-amplified | {OBSERVED_RESPONSE_AMPLIFIED} | -")


if __name__ == "__main__":
    main()
