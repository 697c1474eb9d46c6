"""pCR against the length of lapatinib + trastuzumab, the data the in vivo drug kill is calibrated to.

TBCRC023 (Rimawi MF et al. 2020 Clin Cancer Res 26:821): lapatinib + trastuzumab (+ letrozole when
ER+) without chemotherapy, median tumour 5 cm, in-breast pCR 12 % after 12 weeks and 28 % after 24
weeks (ER+ 9 % -> 33 %). The two overall values set the median and the between-patient spread of the
in vivo drug kill (``pamela.calibrate_drug_kill``); the 6- and 18-week values, the ER split and
PAMELA's pCR at its own tumour sizes are predictions.

Here: the virtual PAMELA cohort (4000 patients, seed 0), once as is and once with every tumour scaled
to TBCRC023's median size (5 cm instead of 2.7 cm), treated for 6-24 weeks, surgery two weeks after
the last dose. Needs the PAMELA rates cached (run `her2sim trial pamela --patients 10` once).

    python docs/analysis/pamela_duration.py
"""

from her2sim.errors import InputError
from her2sim.trials import pamela
from her2sim.trials.engine import cached_rates


def main() -> None:
    rates = cached_rates("pamela")
    if rates is None:
        raise InputError("no cached PAMELA rates for this model; run `her2sim trial pamela --patients 10` first")
    rows = pamela.cohort(0, range(4000))
    scaled = pamela.tbcrc023_cohort(rows)
    hr = rows["hr_positive"].to_numpy()
    print("cohort | weeks | pCR | HR+ | HR-")
    for label, cohort in (("PAMELA sizes", rows), ("TBCRC023 size (5 cm)", scaled)):
        for weeks in (6, 12, 18, 24):
            pcr = pamela.simulate_patients(cohort, rates, weeks=weeks)["pcr"].to_numpy()
            print(f"{label} | {weeks} | {pcr.mean():.3f} | {pcr[hr].mean():.3f} | {pcr[~hr].mean():.3f}")


if __name__ == "__main__":
    main()
