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

With ``--scan-adcc``: the assumed effector strength (``adcc_max_per_day``) lowered step by step, the
in vivo drug kill refitted to TBCRC023 each time (in memory; the package defaults do not change), and
what that does to trastuzumab alone, the held-out chemotherapy + trastuzumab arm and the claims that
need the effector arm (S001-MOA-2, S001-RES-IMM). Also needs the PAMELA rates cached.

    python docs/analysis/trastuzumab_monotherapy.py [--scan-adcc]
"""

import sys

from lifelines import KaplanMeierFitter

from her2sim.claims.patient import proportion_difference
from her2sim.data import reference_value
from her2sim.errors import InputError
from her2sim.trials import metastatic, pamela, tumour
from her2sim.trials.engine import cached_rates

OBSERVED_RESPONSE_AMPLIFIED = reference_value("objective_response", "vogel_trastuzumab")
ADCC_PER_DAY = (0.02, 0.01, 0.005, 0.0025, 0.001)


def _rates(name: str) -> dict:
    rates = cached_rates(name)
    if rates is None:
        raise InputError(f"no cached {name} rates for this model; run `her2sim trial {name} --patients 10` first")
    return rates


def scan_adcc(rows, rates) -> None:
    """Effector strength down, drug kill refitted to TBCRC023 at each step (in memory only)."""
    pamela_rates, pamela_rows = _rates("pamela"), pamela.cohort(0, range(4000))
    arm = "chemotherapy+trastuzumab"
    print("adcc_max_per_day | kill median / log-SD | trastuzumab alone | chemo + trastuzumab response | "
          "PAMELA pCR | VV - FF pCR, 95 % lower bound | pCR loss without ADCC | no escape - escape, 95 % lower bound")
    for adcc in ADCC_PER_DAY:
        with tumour.tumour_values({"adcc_max_per_day": adcc}):
            fit = pamela.calibrate_drug_kill(pamela_rows, pamela_rates)
            with tumour.tumour_values({"drug_kill_in_vivo": fit["median"], "drug_kill_log_sd": fit["log_sd"]}):
                table = pamela.simulate_patients(pamela_rows, pamela_rates)
                without = pamela.simulate_patients(pamela_rows, pamela_rates, adcc_scale=0.0)["pcr"].mean()
                s = metastatic.summary(metastatic.simulate_patients(rows, rates))
                alone = metastatic.trastuzumab_alone(rows, rates)["response"].mean()
        pcr = table["pcr"]
        _, genotype = proportion_difference(pcr[table["fcgr3a"] == "VV"], pcr[table["fcgr3a"] == "FF"])
        _, escape = proportion_difference(pcr[~table["immune_escape"]], pcr[table["immune_escape"]])
        print(f"{adcc} | {fit['median']:.3f} / {fit['log_sd']:.3f} | {alone:.3f} | "
              f"{s[f'objective_response[{arm}]']:.3f} | {pcr.mean():.3f} | {genotype:+.3f} | "
              f"{pcr.mean() - without:.3f} | {escape:+.3f}")


def main() -> None:
    rates = _rates("metastatic")
    rows = metastatic.cohort(0, range(4000))
    print("arm | objective response | median PFS (months)")
    for label, adcc_scale in (("trastuzumab alone", 1.0), ("without ADCC", 0.0)):
        arm = metastatic.trastuzumab_alone(rows, rates, adcc_scale)
        pfs = KaplanMeierFitter().fit(arm["pfs_months"], arm["progressed"]).median_survival_time_
        print(f"{label} | {arm['response'].mean():.3f} | {pfs:.2f}")
    print(f"Vogel 2002, FISH-amplified | {OBSERVED_RESPONSE_AMPLIFIED} | -")
    if "--scan-adcc" in sys.argv[1:]:
        scan_adcc(rows, rates)


if __name__ == "__main__":
    main()
