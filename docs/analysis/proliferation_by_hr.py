"""What if HR-negative HER2+ tumours cycle faster in vivo than HR-positive ones?

In the model every tumour's untreated cells divide at one potential doubling time (12 days, Rew &
Wilson 2000; ``tumour.toml``), whatever its HR status. Clinically, tumours without oestrogen or
progesterone receptor label more cells in S phase (Meyer JS et al. 1986 Lab Invest 54:41, thymidine
labelling of 757 carcinomas: direction only; no HR split within HER2+ tumours was found to source a
magnitude). PAMELA's pCR is 18 % in HR+ and 43 % in HR- patients; at one pace the model gives 0.22 and
0.36 (it gave the reverse before the neutral-cycling refit). This script asks what a proliferation
difference alone would change (README, In vivo kinetics, has the table).

For each ratio r (HR+ potential doubling time / HR-'s) two placements are tried: HR- tumours at the
12-day median and HR+ r times slower ("HR- at median"), or both moved so that the cohort's geometric
mean stays 12 days ("mean at median"). For each, the in vivo drug kill is refitted to TBCRC023
(``pamela.calibrate_drug_kill``, as for the package default) before PAMELA is simulated (4000
patients, seed 0). Needs the PAMELA rates cached (run `her2sim trial pamela --patients 10` once).

    python docs/analysis/proliferation_by_hr.py
"""

import numpy as np

from her2sim.errors import InputError
from her2sim.trials import pamela, tumour
from her2sim.trials.engine import cached_rates

RATIOS = (1.0, 1.5, 2.0, 2.5)


def potential_doubling(hr_positive: np.ndarray, ratio: float, placement: str) -> np.ndarray:
    median = tumour.value("potential_doubling_days")
    hr_negative_days = median if placement == "HR- at median" else median / ratio ** hr_positive.mean()
    return np.where(hr_positive, ratio * hr_negative_days, hr_negative_days)


def main() -> None:
    rates = cached_rates("pamela")
    if rates is None:
        raise InputError("no cached PAMELA rates for this model; run `her2sim trial pamela --patients 10` first")
    rows = pamela.cohort(0, range(4000))
    hr = rows["hr_positive"].to_numpy()
    print("placement | ratio | kill median | kill log-SD | pCR | HR+ | HR- | HER2-E | other | "
          "RANK change HR+ | RANK change HR-")
    for placement in ("HR- at median", "mean at median"):
        for ratio in RATIOS if placement == "HR- at median" else RATIOS[1:]:  # r = 1 places both alike
            days = potential_doubling(hr, ratio, placement)
            try:
                fit = pamela.calibrate_drug_kill(rows, rates, potential_doubling_days=days)
            except InputError as e:
                print(f"{placement} | {ratio} | no TBCRC023 fit: {e}")
                continue
            s = pamela.summary(pamela.simulate_patients(rows, rates, kill=(fit["median"], fit["log_sd"]),
                                                        potential_doubling_days=days))
            print(f"{placement} | {ratio} | {fit['median']:.3f} | {fit['log_sd']:.3f} | {s['pcr_rate']:.3f} | "
                  f"{s['pcr_rate_hr_pos']:.3f} | {s['pcr_rate_hr_neg']:.3f} | {s['pcr_rate_her2_enriched']:.3f} | "
                  f"{s['pcr_rate_non_her2_enriched']:.3f} | {s['rank_paired_change_hr_pos']:.2f} | "
                  f"{s['rank_paired_change_hr_neg']:.2f}")


if __name__ == "__main__":
    main()
