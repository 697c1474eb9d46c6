"""What if the HER2-non-amplified background of 'homogeneous' HER2+ tumours were another size?

Every tumour the cohort does not call heterogeneous (80 %, Seol 2012) still starts with a background of
HER2-non-amplified cells (``cohort.toml`` her2_heterogeneity.background_fraction, 0.001, unsourced). On dual
HER2 blockade those cells do not die in the model, so in most residual tumours they take over (S001-RES-HET:
0.66 of residual tumours mostly non-amplified, seed 001 about a third; S000-PAM-1: RANK rises 0.15 log2,
seed 000 0.64). This script asks how much of that the background decides, from none to the one cell-level
count found (0.8 % non-HER2+ cells in HER2+/ER- tumours; J Histochem Cytochem 2019,
doi 10.1369/0022155419856862). It is a what-if, not a fit: for each background the in vivo drug kill is
refitted to TBCRC023 (``pamela.calibrate_drug_kill`` keeping the shipped log-SD, as the package default is
made) and PAMELA is then simulated (4000 patients, seed 0). Needs the PAMELA rates cached (run
`her2sim trial pamela --patients 10` once).

    python docs/analysis/non_amplified_background.py
"""

import numpy as np

from her2sim.errors import InputError
from her2sim.trials import pamela, tumour
from her2sim.trials.cohort import cohort_table
from her2sim.trials.engine import cached_rates

BACKGROUNDS = (0.0, 1e-5, 1e-4, 1e-3, 8e-3)


def with_background(rows, background: float):
    """The cohort with every non-heterogeneous tumour's non-amplified share set to ``background``."""
    shipped = cohort_table()["her2_heterogeneity"]["background_fraction"]
    out = rows.copy()
    homogeneous = out["non_amplified_fraction"] == shipped
    out.loc[homogeneous, "non_amplified_fraction"] = background
    return out, homogeneous.to_numpy()


def main() -> None:
    rates = cached_rates("pamela")
    if rates is None:
        raise InputError("no cached PAMELA rates for this model; run `her2sim trial pamela --patients 10` first")
    rows = pamela.cohort(0, range(4000))
    print("background | kill median | TBCRC023 12/24 wk | pCR | HR+ | HR- | HER2 loss in residual "
          "(homogeneous / heterogeneous) | RANK change HR+ | HR- | surgery RANK mean")
    for background in BACKGROUNDS:
        cohort, homogeneous = with_background(rows, background)
        fit = pamela.calibrate_drug_kill(cohort, rates, keep_log_sd=tumour.value("drug_kill_log_sd"))
        table = pamela.simulate_patients(cohort, rates, kill=(fit["median"], fit["log_sd"]))
        s = pamela.summary(table)
        residual = ~table["pcr"].to_numpy()
        loss = table["her2_loss_surgery"].to_numpy()
        by_group = [loss[residual & g].mean() if (residual & g).any() else np.nan
                    for g in (homogeneous, ~homogeneous)]
        print(f"{background:g} | {fit['median']:.3f} | {fit['pcr_12_weeks']:.3f} / {fit['pcr_24_weeks']:.3f} | "
              f"{s['pcr_rate']:.3f} | {s['pcr_rate_hr_pos']:.3f} | {s['pcr_rate_hr_neg']:.3f} | "
              f"{s['her2_loss_in_residual']:.3f} ({by_group[0]:.3f} / {by_group[1]:.3f}) | "
              f"{s['rank_paired_change_hr_pos']:.2f} | {s['rank_paired_change_hr_neg']:.2f} | "
              f"{s['rank_log2_surgery_mean']:.2f}")


if __name__ == "__main__":
    main()
