"""Virtual trials: determinism across workers, resume after a kill, bad input, fast path = reference."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from her2sim.cli import main
from her2sim.errors import InputError
from her2sim.trials import cohort, pamela, tumour


def test_patient_depends_only_on_seed_and_index():
    assert cohort.patient(3, 17) == cohort.patients(3, [16, 17, 18]).iloc[1].to_dict()
    assert cohort.patient(3, 17) != cohort.patient(4, 17)


def _run(tmp_path, name, workers, chunk):
    out = tmp_path / name
    assert main(["trial", "pamela", "--patients", "300", "--seed", "1", "--workers", str(workers),
                 "--chunk", str(chunk), "--out", str(out), "--json"]) == 0
    return pd.concat([pd.read_parquet(p) for p in sorted((out / "patients").glob("*.parquet"))], ignore_index=True)


def test_one_and_two_workers_give_identical_outputs(tmp_path):
    one = _run(tmp_path, "w1", 1, 100)
    two = _run(tmp_path, "w2", 2, 100)
    pd.testing.assert_frame_equal(one.sort_values("patient").reset_index(drop=True),
                                  two.sort_values("patient").reset_index(drop=True))


def test_killed_trial_resumes_with_every_patient_once(tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "her2sim.cli", "trial", "pamela", "--patients", "2000", "--chunk", "50",
           "--workers", "1", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and len(list((out / "patients").glob("*.parquet"))) < 3:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((out / "patients").glob("*.parquet")))
    assert 3 <= done_before < 40, "the run was not interrupted half-way"
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    table = pd.concat([pd.read_parquet(p) for p in (out / "patients").glob("*.parquet")], ignore_index=True)
    assert sorted(table["patient"]) == list(range(2000))
    assert json.loads((out / "summary.json").read_text())["patients"] == 2000


@pytest.fixture(scope="module")
def forty_patients():
    """The first 40 patients of seed 0 and their archetype rates, computed directly (no cache)."""
    rows = pamela.cohort(0, range(40))
    before, during, after = pamela.archetypes(rows)
    return rows, {a.key(): tumour.archetype_rates(a) for a in set(before + during + after)}


def test_fast_path_equals_one_by_one_reference(forty_patients):
    """The archetype table is exact: recomputing a patient's rates directly gives the same outcome."""
    rows, table = forty_patients
    fast = pamela.simulate_patients(rows, table)
    for k in range(0, 40, 8):
        one = rows.iloc[[k]]
        phases = [phase[0] for phase in pamela.archetypes(one)]
        ref = pamela.simulate_patients(one, {a.key(): tumour.archetype_rates(a) for a in phases})
        assert bool(ref["pcr"].iloc[0]) == bool(fast["pcr"].iloc[k])
        assert ref["residual_cells"].iloc[0] == pytest.approx(fast["residual_cells"].iloc[k], rel=1e-9)


@pytest.mark.parametrize("args", [["nope"], ["pamela", "--patients", "0"], ["pamela", "--workers", "0"],
                                  ["pamela", "--scheduler", "tcp://127.0.0.1:9"], ["pamela", "--chunk", "0"],
                                  ["pamela", "--set", "tumour_rankl=0.1"], ["pamela", "--set", "adcc_max_per_day=-1"],
                                  ["pamela", "--set", "adcc_max_per_day"], ["pamela", "--set", "tolerance_lock=nan"],
                                  ["pamela", "--set", "pik3ca_mutation.probability=1.5"],
                                  ["pamela", "--set", "age.min=90"]])
def test_bad_input(args, tmp_path, capsys):
    assert main(["trial", *args, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("her2sim: error:") and "\n" not in err
    if "--set" in args:
        assert not (tmp_path / "x").exists()  # a bad what-if is refused before anything is written


def test_untreated_tumour_grows_at_its_volume_doubling_time():
    """In vivo kinetics: per patient, baseline cells divide at the potential doubling time and cell loss
    leaves the volume doubling time (tumour.toml)."""
    import numpy as np
    rows = pamela.cohort(0, range(6))
    before = pamela.archetypes(rows)[0]
    untreated = np.stack([tumour.archetype_rates(a) for a in before])
    n0 = tumour.initial_cells(rows["tumour_cells"].to_numpy(), rows["non_amplified_fraction"].to_numpy())
    days = np.array([60, 90, 120, 150, 200, 300])
    a0, _ = tumour.in_vivo_generators(untreated, untreated, np.zeros(6), n0, volume_doubling_days=days)
    growth = np.einsum("nij,nj->n", a0, n0) / n0.sum(axis=1)
    # cell loss cannot be negative: a tumour whose cells already die fast in vitro grows at most at its
    # loss-free rate (read with a doubling time too short for any tumour to meet)
    a_free, _ = tumour.in_vivo_generators(untreated, untreated, np.zeros(6), n0, volume_doubling_days=np.full(6, 1e-3))
    loss_free = np.einsum("nij,nj->n", a_free, n0) / n0.sum(axis=1)
    target = np.log(2) / days
    assert growth == pytest.approx(np.minimum(target, loss_free), rel=1e-9)
    assert (loss_free > target).sum() >= 4, "most tumours must reach their doubling time through cell loss"


def test_cell_loss_is_a_share_of_the_cells_produced():
    """Steel's cell-loss factor: halving division (a purely cytostatic drug, death unchanged) lowers the
    sensitive cells' growth by (1 - phi) x the division it removes, phi being the share of produced cells
    the untreated tumour loses (what its in vitro death leaves between the potential and the volume doubling
    time), not by all of it."""
    import numpy as np
    rows = pamela.cohort(0, range(3))
    untreated = np.stack([tumour.archetype_rates(a) for a in pamela.archetypes(rows)[0]])
    slowed = untreated.copy()
    slowed[:, :, 0] *= 0.5
    n0 = tumour.initial_cells(rows["tumour_cells"].to_numpy(), rows["non_amplified_fraction"].to_numpy())
    a0, a1 = tumour.in_vivo_generators(untreated, slowed, np.zeros(3), n0)
    no_loss, _ = tumour.in_vivo_generators(untreated, untreated, np.zeros(3), n0,
                                           volume_doubling_days=np.full(3, 1e-3))

    def bulk(a):
        return np.einsum("nij,nj->n", a, n0) / n0.sum(axis=1)

    potential = np.log(2) / tumour.value("potential_doubling_days")  # bulk division in vivo
    phi = (bulk(no_loss) - bulk(a0)) / potential
    assert ((phi > 0.2) & (phi < 1)).sum() >= 2 and ((phi >= 0) & (phi < 1)).all()
    pace = potential / (np.einsum("ns,ns->n", untreated[:, :, 0], n0) / n0.sum(axis=1))
    removed = 0.5 * pace * untreated[:, tumour.SENS, 0]
    drop = a0[:, tumour.SENS, tumour.SENS] - a1[:, tumour.SENS, tumour.SENS]
    assert drop == pytest.approx((1 - phi) * removed, rel=1e-2)  # switching per division: ~3e-4 of it


def test_slower_cycling_tumour_keeps_its_volume_doubling_but_shrinks_slower_on_drugs():
    """A per-patient potential doubling time changes the pace of every signalling rate: the untreated
    volume doubling is kept (cell loss absorbs it), the drugs' kill slows with the pace."""
    import numpy as np
    rows = pamela.cohort(0, [0, 0])
    before, during, _ = pamela.archetypes(rows)
    untreated = np.stack([tumour.archetype_rates(a) for a in before])
    treated = np.stack([tumour.archetype_rates(a) for a in during])
    n0 = tumour.initial_cells(rows["tumour_cells"].to_numpy(), rows["non_amplified_fraction"].to_numpy())
    a0, a1 = tumour.in_vivo_generators(untreated, treated, np.zeros(2), n0, potential_doubling_days=[12.0, 24.0])
    growth = np.einsum("nij,nj->n", a0, n0) / n0.sum(axis=1)
    assert growth == pytest.approx(np.log(2) / tumour.value("volume_doubling_days"), rel=1e-9)
    decline = np.einsum("nij,nj->n", a1, n0) / n0.sum(axis=1)
    assert decline[0] < decline[1] < 0
    default, _ = tumour.in_vivo_generators(untreated, treated, np.zeros(2), n0)
    assert np.array_equal(default[0], a0[0])
    with pytest.raises(InputError, match="potential doubling times must be finite and > 0"):
        tumour.in_vivo_generators(untreated, treated, np.zeros(2), n0, potential_doubling_days=[12.0, 0.0])


def test_h_score_by_hand():
    """One state with every cell's mean at the 1+ threshold: half the cells are >= 1+ (lognormal median),
    and a vanishing share reach 2+ and 3+ at log-SD 0.5 (P(z > ln2/0.5) = 0.083, P(z > ln4/0.5) = 0.0028)."""
    import numpy as np
    from scipy import stats

    from her2sim.trials import ihc
    h = ihc.h_score(np.array([[2.0]]), np.array([[1.0]]), 2.0)
    expected = 100 * (0.5 + stats.norm.sf(np.log(2) / 0.5) + stats.norm.sf(np.log(4) / 0.5))
    assert h[0] == pytest.approx(expected, rel=1e-12)


def test_paired_difference_by_hand():
    from her2sim.trials.pamela_arms import paired_difference
    d = paired_difference([1, 1, 0, 1], [0, 1, 0, 0])  # differences 1, 0, 0, 1: mean 0.5, SD 0.57735
    assert d["difference"] == 0.5
    assert d["ci95"][1] - 0.5 == pytest.approx(1.96 * 0.5773502691896257 / 2, rel=1e-12)


def test_recurrence_positivity_follows_the_calibrated_threshold(monkeypatch):
    from scipy.stats import norm

    from her2sim.trials import recurrence

    real = recurrence.course()
    assert 0 < real["primary_stem_fraction"] < real["stem_fraction_after_radiotherapy"] <= 1
    # worked by hand: a recurrence with twice the primary's stem fraction, spread log10 SD 0.5
    fake = {**real, "primary_stem_fraction": 0.1, "recurrent_stem_fraction": 0.2}
    monkeypatch.setattr(recurrence, "course", lambda: fake)
    p = recurrence.positivity()
    assert p["primary"] == pytest.approx(0.571)
    assert p["recurrent"] == pytest.approx(norm.cdf(norm.ppf(0.571) + np.log10(2) / 0.5), rel=1e-12)


def test_an_ensemble_member_does_not_reuse_the_default_rates_or_stem_thresholds():
    """Under ``parameter_values`` (reproduce --ensemble) the trial rate cache key and every cached
    simulation-derived value (stem threshold, xenograft pace, recurrence course) change with the values."""
    from her2sim.engine.runner import parameter_values
    from her2sim.model import load_parameters
    from her2sim.population.stem import k_stem
    from her2sim.population.xenograft import pace
    from her2sim.trials import recurrence
    from her2sim.trials.engine import model_fingerprint

    default_key, default_k = model_fingerprint(), k_stem("MCF7")
    pace("MCF7")
    recurrence.course()
    w = load_parameters()["w_survival_STAT3"].value
    with parameter_values({"w_survival_STAT3": 2 * w}):
        assert model_fingerprint() != default_key
        assert pace.cache_info().currsize == 0 and recurrence.course.cache_info().currsize == 0
        assert k_stem("MCF7") != default_k
    assert model_fingerprint() == default_key and k_stem("MCF7") == default_k


def test_treatment_shorter_than_the_day_14_biopsy_is_refused():
    from her2sim.errors import InputError

    rows = pamela.cohort(0, range(2))
    with pytest.raises(InputError, match="at least the 14 days"):
        pamela.simulate_patients(rows, {}, weeks=1)


def test_drug_kill_is_lognormal_between_patients():
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(tumour.drug_kill(z, 0.8, 0.5), 0.8 * np.exp([-0.5, 0.0, 1.0]), rtol=1e-12)
    assert tumour.drug_kill(0.0) == pytest.approx(tumour.value("drug_kill_in_vivo"), rel=1e-12)


def test_more_drug_kill_never_lowers_pcr(forty_patients):
    """A patient whose tumour dies faster on the same drugs (higher sensitivity z) is never worse off."""
    rows, table = forty_patients
    low = pamela.simulate_patients(rows.assign(drug_sensitivity_z=-1.0), table)["residual_cells"]
    high = pamela.simulate_patients(rows.assign(drug_sensitivity_z=1.0), table)["residual_cells"]
    assert (high <= low).all() and (high < low).any()


def _what_if(kind: str):
    """One what-if of each kind that changes a PAMELA archetype's rates."""
    from her2sim.engine.runner import parameter_values
    from her2sim.model import load_parameters
    from her2sim.population.dynamics import population_values

    if kind == "parameters":  # an ensemble member
        return parameter_values({"w_survival_STAT3": 4 * load_parameters()["w_survival_STAT3"].value})
    if kind == "tumour":
        return tumour.tumour_values({"tumour_rankl_nM": 3.0})
    return population_values({"tolerant_IKK_constitutive": 2.0})


@pytest.mark.parametrize("kind", ["parameters", "tumour", "population"])
def test_trial_rates_computed_on_dask_workers_follow_the_callers_values(tmp_path, monkeypatch, kind):
    """Worker processes do not share the caller's module state: under a what-if (or an ensemble member)
    the archetype rates from the cluster must be the what-if's, not the defaults', and must not be read
    from the defaults' cache."""
    from her2sim.trials import engine

    monkeypatch.setenv("HER2SIM_CACHE", str(tmp_path))
    archetype = pamela.all_archetypes()[0]
    monkeypatch.setattr(pamela, "all_archetypes", lambda: [archetype])
    default = tumour.archetype_rates(archetype)
    default_key = engine.model_fingerprint()
    with _what_if(kind):
        assert engine.model_fingerprint() != default_key
        member = tumour.archetype_rates(archetype)
        client = engine._client(1, None)
        try:
            from_workers = engine.rates_table(client, "pamela")[archetype.key()]
        finally:
            client.cluster.close()
            client.close()
    assert not np.allclose(member, default, rtol=1e-3)  # the change matters for these rates
    np.testing.assert_allclose(from_workers, member, rtol=1e-9)


def _forty_patients_on_a_worker(tmp_path, rates) -> pd.DataFrame:
    """Patients 0-39 of seed 0 simulated as one chunk in a Dask worker process, under the caller's what-ifs."""
    from her2sim.trials import engine

    (tmp_path / "patients").mkdir()
    client = engine._client(1, None)
    try:
        client.submit(engine._chunk_task, "pamela", 0, 0, 40, rates, str(tmp_path), engine.what_ifs(),
                      pure=False).result()
    finally:
        client.cluster.close()
        client.close()
    return pd.read_parquet(tmp_path / "patients" / "chunk_000000000.parquet")


def test_patients_simulated_on_dask_workers_follow_the_callers_tumour_values(tmp_path, forty_patients):
    """The per-patient step (ADCC, drug kill, pCR threshold: tumour.toml) also runs on workers."""
    rows, rates = forty_patients
    default = pamela.simulate_patients(rows, rates)
    with tumour.tumour_values({"adcc_max_per_day": 0.0}):
        local = pamela.simulate_patients(rows, rates)
        from_worker = _forty_patients_on_a_worker(tmp_path, rates)
    assert (local["residual_cells"] > default["residual_cells"]).any()  # no ADCC: more cells left
    np.testing.assert_allclose(from_worker["residual_cells"], local["residual_cells"], rtol=1e-12)


def test_what_if_values_are_checked_and_undone():
    from her2sim.population.dynamics import constants, population_values

    with tumour.tumour_values({"tumour_rankl_nM": 0.1}), population_values({"tolerance_lock": 0.5}):
        assert tumour.value("tumour_rankl_nM") == 0.1 and constants()["tolerance_lock"] == 0.5
    assert tumour.value("tumour_rankl_nM") == 0.01 and constants()["tolerance_lock"] == 0.95
    for bad, message in (({"tumour_rankl": 1.0}, "unknown tumour constant tumour_rankl; allowed: "),
                         ({"chemotherapy": 1.0}, "unknown tumour constant chemotherapy"),
                         ({"adcc_max_per_day": -0.01}, "must be finite and >= 0"),
                         ({"adcc_max_per_day": float("nan")}, "must be finite and >= 0")):
        with pytest.raises(InputError, match=message), tumour.tumour_values(bad):
            pass
    assert tumour.value("adcc_max_per_day") == 0.02


def test_patients_drawn_on_dask_workers_follow_the_callers_cohort_values(tmp_path, forty_patients):
    """Patients are drawn on the workers too (cohort.toml): a cohort what-if must reach them."""
    _, rates = forty_patients
    with cohort.cohort_values({"immune_escape.probability": 1.0}):  # ADCC scale only: same archetypes
        local = pamela.simulate_patients(pamela.cohort(0, range(40)), rates)
        from_worker = _forty_patients_on_a_worker(tmp_path, rates)
    assert not pamela.cohort(0, range(40))["immune_escape"].all()  # the shipped cohort has both
    assert from_worker["immune_escape"].all()
    np.testing.assert_allclose(from_worker["residual_cells"], local["residual_cells"], rtol=1e-12)


def test_cohort_what_if_is_checked_and_undone():
    with cohort.cohort_values({"pik3ca_mutation.probability": 0.0, "recurrence.radiotherapy_fractions": 30}):
        assert cohort.cohort_table()["pik3ca_mutation"]["probability"] == 0.0
        assert cohort.cohort_table()["recurrence"]["radiotherapy_fractions"] == 30
        assert not cohort.patients(0, range(100))["pik3ca_mutant"].any()
    assert cohort.cohort_table()["pik3ca_mutation"]["probability"] == 0.22
    for bad, message in (({"pik3ca_mutation": 0.1}, "unknown cohort value pik3ca_mutation;"),
                         ({"hormone_receptor_positive.probability": 1.2}, "must be between 0 and 1"),
                         ({"recurrence.radiotherapy_fractions": 2.5}, "must be a whole number"),
                         ({"weight_kg.min": 200}, "must not exceed weight_kg.max"),
                         ({"fcgr3a.VV": 0, "fcgr3a.VF": 0, "fcgr3a.FF": 0}, "must not all be 0")):
        with pytest.raises(InputError, match=message), cohort.cohort_values(bad):
            pass


def test_tbcrc023_counts_come_from_the_reference_table():
    from her2sim.data import reference_counts

    assert pamela.TBCRC023_COUNTS == {12: (4, 33), 24: (18, 64)}
    with pytest.raises(InputError, match="not a proportion"):
        reference_counts("lapatinib_ic50_uM", "SKBR3")


def test_drug_kill_fit_recovers_the_rates_of_a_known_kill(forty_patients, monkeypatch):
    """Counts made from a known kill are fitted back: the maximum-likelihood rates are those counts' rates."""
    rows, table = forty_patients
    scaled = pamela.tbcrc023_cohort(rows)
    truth = {weeks: float(pamela.simulate_patients(scaled, table, kill=(1.5, 0.5), weeks=weeks)["pcr"].mean())
             for weeks in (12, 24)}
    assert 0 < truth[12] < truth[24] < 1, truth  # both time points informative for this cohort
    monkeypatch.setattr(pamela, "TBCRC023_COUNTS", {w: (round(p * 400), 400) for w, p in truth.items()})
    fit = pamela.calibrate_drug_kill(rows, table, log_sds=(0.0, 0.5, 1.0))
    # 40 patients make pCR a step function of the kill (steps of 1/40), which a bounded Brent search can land
    # one step off (since tumour cell loss became a share of production: 0.625 for 0.65 at 24 weeks)
    one_patient = 1 / len(scaled) + 1e-9
    assert fit["pcr_12_weeks"] == pytest.approx(truth[12], abs=one_patient)
    assert fit["pcr_24_weeks"] == pytest.approx(truth[24], abs=one_patient)
    assert fit["log_likelihood"] >= max(g["log_likelihood"] for g in fit["grid"])


def test_ihc_thresholds_give_the_naive_positivity(forty_patients):
    from her2sim.data import reference_value
    from her2sim.trials import ihc

    rows, table = forty_patients
    thresholds = ihc.calibrate_thresholds(rows, table)
    untreated = tumour.patient_rates(rows, table)
    n0 = tumour.initial_cells(rows["tumour_cells"].to_numpy(), rows["non_amplified_fraction"].to_numpy())
    rank = untreated[:, :, tumour.FIELDS.index("rank_mrna")]
    target = reference_value("rank_ihc_positive", "naive")
    below, above = (ihc.positivity(pd.Series(ihc.h_score(rank, n0, thresholds["rank_threshold_units"] * f)))
                    for f in (0.99, 1.01))
    assert below > target >= above  # the threshold sits on the patient whose positivity crosses the target


def test_her2_loss_after_neoadjuvant_chemotherapy_reads_the_residual_cells(forty_patients):
    """HER2 loss (S001-RES-HET) is called on residual tumours only, from the cells left at surgery: none without
    non-amplified cells, every residual tumour when all cells are non-amplified."""
    from her2sim.trials import ihc

    rows = ihc.cohort(0, range(40))
    for share, expected in ((0.0, False), (1.0, True)):
        table = ihc.simulate_patients(rows.assign(non_amplified_fraction=share), forty_patients[1],
                                      weeks=ihc.MITTENDORF_WEEKS)
        assert (~table["pcr"]).any()
        assert (table.loc[~table["pcr"], "her2_loss_residual"] == expected).all()
        assert not table.loc[table["pcr"], "her2_loss_residual"].any()
    with pytest.raises(InputError, match="must last > 0 weeks"):
        ihc.simulate_patients(rows, forty_patients[1], weeks=0)


def test_chemotherapy_fit_reads_progression_at_slamons_median(forty_patients):
    from her2sim.trials import metastatic

    rows = metastatic.cohort(0, range(40))
    fits = metastatic.calibrate_chemotherapy(rows, forty_patients[1], (0.02, 0.6), (0.5,)).set_index("kill_median")
    assert fits.loc[0.6, "progressed_by_median"] < fits.loc[0.02, "progressed_by_median"]
    assert fits.loc[0.6, "objective_response"] > fits.loc[0.02, "objective_response"]
    expected = (fits["progressed_by_median"] - 0.5).abs() + (fits["objective_response"] - 0.32).abs()
    np.testing.assert_allclose(fits["distance"], expected, rtol=1e-12)


@pytest.mark.parametrize("args", [["--patients", "0"], ["--workers", "0"], ["--patients", "200000"]])
def test_calibrate_in_vivo_bad_input_is_one_line(args, capsys):
    assert main(["calibrate-in-vivo", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "must be between" in err[0]


def test_metastatic_trial_without_the_effector_arm_changes_only_the_trastuzumab_arm():
    from her2sim.trials import metastatic

    rows = metastatic.cohort(0, range(8))
    needed = {tumour.archetype_of(r, t) for r in rows.to_dict("records") for t in ("none", "trastuzumab")}
    rates = {a.key(): tumour.archetype_rates(a) for a in needed}
    full, without = metastatic.simulate_patients(rows, rates), metastatic.simulate_patients(rows, rates, 0.0)
    arm = "chemotherapy+trastuzumab"
    pd.testing.assert_series_equal(full["log10_nadir[chemotherapy]"], without["log10_nadir[chemotherapy]"])
    nadir, nadir_without = full[f"log10_nadir[{arm}]"], without[f"log10_nadir[{arm}]"]
    assert (nadir_without >= nadir - 1e-9).all() and (nadir_without > nadir + 0.1).sum() >= 4  # ADCC only adds death
    with pytest.raises(InputError, match="adcc_scale must be"):
        metastatic.simulate_patients(rows, rates, adcc_scale=-1.0)


def test_added_response_is_read_per_patient_and_by_subgroup():
    from her2sim.trials import metastatic

    table = pd.DataFrame({"fcgr3a": ["VV", "VV", "FF", "VF"], "immune_escape": [False, True, False, False],
                          "response[chemotherapy]": [False, True, False, True],
                          "response[chemotherapy+trastuzumab]": [True, True, False, True]})
    for arm in metastatic.ARMS:
        table[f"pfs_months[{arm}]"], table[f"progressed[{arm}]"] = [3.0, 6.0, 9.0, 12.0], [True] * 4
    np.testing.assert_array_equal(metastatic.added_response(table), [1.0, 0.0, 0.0, 0.0])
    s = metastatic.summary(table)
    assert s["added_response"] == 0.25 and s["added_response[FCGR3A VV]"] == 0.5
    assert s["added_response[FCGR3A FF]"] == 0.0 and s["added_response[immune escape]"] == 0.0
    assert s["added_response[no immune escape]"] == pytest.approx(1 / 3)


def test_a_trial_stops_the_dask_cluster_it_started(tmp_path):
    """run_trial's own LocalCluster is gone when it returns: its worker processes do not linger until the
    interpreter exits (where they used to retire with a screenful of log lines)."""
    import psutil

    from her2sim.trials.engine import run_trial

    def dask_children():
        return [p for p in psutil.Process().children(recursive=True)
                if "resource_tracker" not in " ".join(p.cmdline())]

    before = len(dask_children())
    run_trial("pamela", 50, 0, tmp_path / "t", workers=2)
    deadline = time.time() + 10
    while len(dask_children()) > before and time.time() < deadline:
        time.sleep(0.2)
    assert len(dask_children()) == before
