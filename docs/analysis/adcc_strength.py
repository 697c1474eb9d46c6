"""What if trastuzumab's effector killing (ADCC) in patients were weaker than assumed?

The effector kill of HER2-amplified cells on trastuzumab is assumed, not sourced (``tumour.toml``
adcc_max_per_day 0.02 per day). It alone makes metastatic tumours shrink on trastuzumab: Vogel 2002's
trastuzumab-alone response (held out, 34 %) comes out ~0.84, Slamon 2001's trastuzumab arm does not progress
within 36 months. This script scales the effector kill and, for each scale, refits the in vivo drug kill to
TBCRC023 (keeping the shipped log-SD, as the package default is made: TBCRC023 includes trastuzumab, so the
two are coupled), then reports the held-out metastatic and PAMELA values and how much pCR the effector arm
decides (4000 patients, seed 0). A what-if, not a fit. Needs the PAMELA and metastatic rates cached (run
`her2sim trial pamela --patients 10` and `her2sim trial metastatic --patients 10` once).

    python docs/analysis/adcc_strength.py
"""

from her2sim.errors import InputError
from her2sim.trials import metastatic, pamela, tumour
from her2sim.trials.engine import cached_rates

SCALES = (1.0, 0.5, 0.25, 0.0)


def main() -> None:
    rates, metastatic_rates = cached_rates("pamela"), cached_rates("metastatic")
    if rates is None or metastatic_rates is None:
        raise InputError("no cached PAMELA / metastatic rates for this model; run `her2sim trial pamela "
                         "--patients 10` and `her2sim trial metastatic --patients 10` first")
    rows = pamela.cohort(0, range(4000))
    metastatic_rows = metastatic.cohort(0, range(4000))
    shipped = pamela.adcc_per_day
    print("ADCC scale | kill median | TBCRC023 12/24 wk | PAMELA pCR | pCR without ADCC | escape effect | "
          "Vogel response | Slamon chemo+T response")
    try:
        for scale in SCALES:
            pamela.adcc_per_day = lambda r, scale=scale: scale * shipped(r)  # metastatic reads it from pamela
            fit = pamela.calibrate_drug_kill(rows, rates, keep_log_sd=tumour.value("drug_kill_log_sd"))
            kill = (fit["median"], fit["log_sd"])
            table = pamela.simulate_patients(rows, rates, kill=kill)
            without = pamela.simulate_patients(rows, rates, kill=kill, adcc_scale=0.0)["pcr"].mean()
            escape = table["immune_escape"]
            escape_effect = table.loc[~escape, "pcr"].mean() - table.loc[escape, "pcr"].mean()
            # the metastatic arms read the package's drug kill: set it to this row's fit
            tumour_value = tumour.value
            tumour.value = lambda name, k=kill[0], v=tumour_value: k if name == "drug_kill_in_vivo" else v(name)
            try:
                vogel = metastatic.trastuzumab_alone(metastatic_rows, metastatic_rates)["response"].mean()
                arms = metastatic.summary(metastatic.simulate_patients(metastatic_rows, metastatic_rates))
            finally:
                tumour.value = tumour_value
            print(f"{scale:g} | {fit['median']:.3f} | {fit['pcr_12_weeks']:.3f} / {fit['pcr_24_weeks']:.3f} | "
                  f"{table['pcr'].mean():.3f} | {without:.3f} | {escape_effect:.3f} | {vogel:.3f} | "
                  f"{arms['objective_response[chemotherapy+trastuzumab]']:.3f}")
    finally:
        pamela.adcc_per_day = shipped


if __name__ == "__main__":
    main()
