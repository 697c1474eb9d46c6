"""Held-out check of trastuzumab's own in vivo effect: first-line trastuzumab alone in metastatic disease.

Vogel CL et al. 2002 J Clin Oncol 20:719: weekly trastuzumab alone, first line, 114 women with HER2
IHC 2+/3+ metastatic breast cancer; objective response 26 % overall, 34 % (95 % CI 24-46 %) in the
FISH-amplified tumours, 7 % in the non-amplified ones. Neither number was used to build or calibrate
the model (its chemotherapy arm is calibrated to Slamon 2001's chemotherapy alone; the trastuzumab arm
with chemotherapy, S001-CLIN-1, is held out too).

Here: the virtual first-line metastatic cohort (all HER2-amplified, 4000 patients, seed 0) on weekly
trastuzumab without chemotherapy until progression, assessed as in `trials/metastatic.py`; once as the
model stands and once without the effector (ADCC) arm, which separates the direct signalling effect.
With ``--refit``: what the data would make of the assumed effector strength (``adcc_max_per_day``).
It is refitted to Vogel's 34 %, and the in vivo drug-kill scale to PAMELA's pCR in turn, until
both settle. The script then prints what that does to the held-out trastuzumab + chemotherapy arm,
the FCGR3A and immune-escape contrasts (S001-MOA-2, S001-RES-IMM) and the HR subgroups. The package
defaults are not changed. Needs the PAMELA and metastatic rates cached (run `her2sim trial pamela
--patients 10` and `her2sim trial metastatic --patients 10` once).

    python docs/analysis/trastuzumab_monotherapy.py [--refit]
"""

import sys

import numpy as np
from lifelines import KaplanMeierFitter

from her2sim.errors import InputError
from her2sim.trials import metastatic, pamela, tumour
from her2sim.trials.engine import cached_rates

OBSERVED_RESPONSE_AMPLIFIED = 0.34  # Vogel 2002, FISH-amplified tumours


def _rates(name: str) -> dict:
    rates = cached_rates(name)
    if rates is None:
        raise InputError(f"no cached {name} rates for this model; run `her2sim trial {name} --patients 10` first")
    return rates


def monotherapy_response(rows, untreated, treated) -> float:
    no_chemo = np.zeros(len(rows))
    return float(metastatic._arm(rows, untreated, treated, pamela.adcc_per_day(rows), no_chemo)["response"].mean())


def refit(rows, untreated, treated) -> None:
    """Effector strength to Vogel's response and drug kill to PAMELA's pCR, alternately (in memory only)."""
    constants = tumour.constants()
    pamela_rates = _rates("pamela")
    pamela_rows = pamela.cohort(0, range(4000))
    for _ in range(3):
        low, high = 0.0, float(constants["adcc_max_per_day"]["value"])
        for _ in range(14):  # response rises with the effector strength
            constants["adcc_max_per_day"]["value"] = (low + high) / 2
            if monotherapy_response(rows, untreated, treated) < OBSERVED_RESPONSE_AMPLIFIED:
                low = (low + high) / 2
            else:
                high = (low + high) / 2
        constants["adcc_max_per_day"]["value"] = (low + high) / 2
        constants["drug_kill_in_vivo"]["value"] = pamela.calibrate_drug_kill(pamela_rows, pamela_rates)
    print(f"refitted: adcc_max_per_day {constants['adcc_max_per_day']['value']:.2g}, "
          f"drug_kill_in_vivo {constants['drug_kill_in_vivo']['value']:.3f}; trastuzumab alone responds in "
          f"{monotherapy_response(rows, untreated, treated):.3f}")
    s = metastatic.summary(metastatic.simulate_patients(rows, _rates("metastatic")))
    arm = "chemotherapy+trastuzumab"
    print(f"chemotherapy + trastuzumab: response {s[f'objective_response[{arm}]']:.3f} (Slamon 0.50), median PFS "
          f"{s[f'median_pfs_months[{arm}]']:.2f} months (7.4)")
    table = pamela.simulate_patients(pamela_rows, pamela_rates)
    genotype = table.groupby("fcgr3a")["pcr"].mean()
    escape = table.groupby("immune_escape")["pcr"].mean()
    print(f"PAMELA pCR {table['pcr'].mean():.3f}: HR+ {table.loc[table['hr_positive'], 'pcr'].mean():.3f}, HR- "
          f"{table.loc[~table['hr_positive'], 'pcr'].mean():.3f}; VV - FF {genotype['VV'] - genotype['FF']:+.3f}; "
          f"no escape - escape {escape[False] - escape[True]:+.3f}")


def main() -> None:
    rates = _rates("metastatic")
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
    if "--refit" in sys.argv[1:]:
        refit(rows, untreated, treated)


if __name__ == "__main__":
    main()
