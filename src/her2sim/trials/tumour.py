"""A patient's tumour: the population layer in vivo.

Cells of an HER2-amplified tumour are in the four heritable states of ``her2sim.population``
(sensitive, tolerant, resistant, tolerant+resistant) plus a HER2-non-amplified subclone (intratumoural
heterogeneity). Each state's division and death under the patient's drugs come from the signalling
model (``window_means``) with the patient's overlay on the HER2-amplified reference line (SKBR3):
oestrogen receptor (HR status), PIK3CA, p95HER2, HER2 level and RANK promoter class. Drugs enter at
the tumour-site concentrations of the PK layer (``her2sim.drugs.pk``).

In vivo, three things differ from a dish (constants in ``tumour.toml`` with sources): cells cycle
more slowly (each tumour's division and death rescaled so its untreated cells divide at the potential
doubling time), a fixed fraction of the cells produced is lost (Steel's cell-loss factor, set so each
untreated tumour grows at its volume doubling time), and trastuzumab recruits Fc-gamma-receptor
effector cells (ADCC), scaled by the FCGR3A genotype and lowered by immune escape. ADCC is absent
in vitro (seed 001).

A patient's signalling inputs are discrete (covariate classes and three lapatinib-exposure classes),
so patients sharing an archetype share its rates: that is the fast path, and it is exact.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import asdict, dataclass, replace
from importlib import resources

import numpy as np
from scipy.linalg import expm

from her2sim.drugs.pk import pk_model, steady_state
from her2sim.engine.runner import ConstantValues, variant_parameters
from her2sim.errors import InputError
from her2sim.model import load_parameters
from her2sim.population.dynamics import STATES as POPULATION_STATES
from her2sim.population.dynamics import switching_flows, window_means, with_neutral_cycling

STATES = ("sensitive", "tolerant", "resistant", "tolerant+resistant", "HER2-non-amplified")
SENS, TOL, RES, BOTH, NONAMP = range(5)
AMPLIFIED = (SENS, TOL, RES, BOTH)
REFERENCE_LINE = "SKBR3"
FIELDS = ("division", "death", "rank_mrna", "er_activity", "her2_total", "foxo")
OBSERVABLES = ("obs_proliferation_rate", "obs_death_rate", "RANK_mRNA", "ER_activity", "obs_HER2_total",
               "FOXO_activity")


@functools.cache
def _file_constants() -> dict:
    return tomllib.loads(resources.files("her2sim.trials").joinpath("tumour.toml").read_text())


TUMOUR_VALUES = ConstantValues("tumour constant", lambda: [k for k, v in _file_constants().items() if "value" in v])
tumour_values = TUMOUR_VALUES.values  # what-ifs: with tumour_values({"tumour_rankl_nM": 0.1}): ...


def constants() -> dict:
    """tumour.toml, with any ``tumour_values`` what-if in place of the scalar values."""
    table, changes = _file_constants(), TUMOUR_VALUES.current()
    return {k: {**v, "value": changes[k]} if k in changes else v for k, v in table.items()}


def value(name: str) -> float:
    return float(constants()[name]["value"])


# What a patient receives during treatment. Endocrine therapy (HR+ only) follows PAMELA: tamoxifen
# before, letrozole after menopause. The add-on arms ask the seeds' open question (seed 000 Discussion).
THERAPIES = {
    "none": (),
    "pamela": ("lapatinib", "trastuzumab", "endocrine"),
    "pamela+denosumab": ("lapatinib", "trastuzumab", "endocrine", "denosumab"),
    "pamela+IKK-inhibitor": ("lapatinib", "trastuzumab", "endocrine", "IKK-inhibitor"),
    "trastuzumab": ("trastuzumab weekly",),
}


@dataclass(frozen=True)
class Archetype:
    hr_positive: bool
    premenopausal: bool  # only matters when hr_positive (endocrine therapy and oestradiol)
    pik3ca_mutant: bool
    p95her2: bool
    her2_level: float
    rank_promoter: float
    lapatinib_class: int  # -1: no lapatinib; 0..2: exposure classes
    therapy: str = "none"

    def key(self) -> tuple:
        return tuple(asdict(self).values())


LAPATINIB = "1000mg daily"
TRASTUZUMAB = "8mg/kg loading, 6mg/kg q3w"
TRASTUZUMAB_WEEKLY = "4mg/kg loading, 2mg/kg weekly"
TAMOXIFEN = "20mg daily"
DENOSUMAB = "120mg q4w"


@functools.cache
def typical_site_nM(drug: str, regimen: str) -> float:
    """The typical patient's mean tumour-site concentration at steady state (PK layer)."""
    model = pk_model(drug)
    return steady_state(drug, regimen, model.weight_ref)["cavg_ss"] / model.mw * 1e6 * model.site_factor


def lapatinib_class(site_nM: float) -> int:
    edges = np.array(constants()["lapatinib_classes"]["edges_multiple"]) * typical_site_nM("lapatinib", LAPATINIB)
    return int(np.searchsorted(edges, site_nM))


def lapatinib_class_nM(cls: int) -> float:
    multiple = constants()["lapatinib_classes"]["representative_multiple"][cls]
    return float(multiple * typical_site_nM("lapatinib", LAPATINIB))


def archetype_of(row, therapy: str = "none", lapatinib_site_nM: float = 0.0) -> Archetype:
    if therapy not in THERAPIES:
        raise InputError(f"unknown therapy {therapy!r}; allowed: {', '.join(THERAPIES)}")
    on_lapatinib = "lapatinib" in THERAPIES[therapy]
    return Archetype(bool(row["hr_positive"]), bool(row["premenopausal"]) if row["hr_positive"] else False,
                     bool(row["pik3ca_mutant"]), bool(row["p95her2"]), float(row["her2_level"]),
                     float(row["rank_promoter"]), lapatinib_class(lapatinib_site_nM) if on_lapatinib else -1, therapy)


def _parameters(a: Archetype, state: int) -> tuple[tuple[str, ...], dict[str, float]]:
    """Constructs and absolute parameter values making the reference line this patient's cells in ``state``."""
    base = {**{k: p.value for k, p in load_parameters().items()}, **variant_parameters(REFERENCE_LINE, ())}
    params = {
        **base,
        "ER_expression": 1.0 if a.hr_positive else 0.0,
        "PIK3CA_mutation_gain": value("pik3ca_gain") if a.pik3ca_mutant else 1.0,
        "HER2_expression": a.her2_level,
        "RANK_expression": base["RANK_expression"] * a.rank_promoter,
        "serum_E2": 0.0,  # oestradiol is given explicitly (patient's menopausal state, endocrine therapy)
    }
    constructs: tuple[str, ...] = ("p95HER2",) if (a.p95her2 and state != NONAMP) else ()
    if state == NONAMP:
        params["HER2_expression"] = value("non_amplified_her2")
        params["bypass_RTK"] = value("non_amplified_bypass_RTK")
    else:
        untreated_medium = drugs_for(replace(a, therapy="none", lapatinib_class=-1))
        params.update(with_neutral_cycling(REFERENCE_LINE, constructs, params, POPULATION_STATES[state],
                                           untreated_medium))
    return constructs, {k: v for k, v in params.items() if k not in base or v != base[k]}


def drugs_for(a: Archetype) -> tuple[tuple[str, str], ...]:
    """Tumour-site medium-equivalent doses: oestradiol and stromal RANKL always, the therapy's drugs on treatment."""
    e2 = value("oestradiol_premenopausal_nM") if a.premenopausal else value("oestradiol_postmenopausal_nM")
    drugs = []
    given = THERAPIES[a.therapy]
    if "lapatinib" in given:
        drugs.append(("lapatinib", f"{lapatinib_class_nM(a.lapatinib_class):.6g}nM"))
    if "trastuzumab" in given:
        drugs.append(("trastuzumab", f"{typical_site_nM('trastuzumab', TRASTUZUMAB):.6g}nM"))
    if "trastuzumab weekly" in given:
        drugs.append(("trastuzumab", f"{typical_site_nM('trastuzumab', TRASTUZUMAB_WEEKLY):.6g}nM"))
    if "endocrine" in given and a.hr_positive:
        if a.premenopausal:
            drugs.append(("tamoxifen", f"{typical_site_nM('tamoxifen', TAMOXIFEN):.6g}nM"))
        else:
            e2 *= 1 - value("letrozole_oestradiol_suppression")
    if "denosumab" in given:
        drugs.append(("denosumab", f"{typical_site_nM('denosumab', DENOSUMAB):.6g}nM"))
    if "IKK-inhibitor" in given:
        drugs.append(("IKK-inhibitor", f"{value('ikk_inhibitor_site_nM'):.6g}nM"))
    drugs.append(("estradiol", f"{e2:.6g}nM"))
    drugs.append(("RANKL", f"{value('tumour_rankl_nM'):.6g}nM"))
    return tuple(drugs)


def archetype_rates(a: Archetype) -> np.ndarray:
    """(state, field) array: division and death per day in vitro, RANK mRNA, ER activity, HER2 (signalling)."""
    out = np.zeros((len(STATES), len(FIELDS)))
    for s in range(len(STATES)):
        constructs, params = _parameters(a, s)
        mean = window_means(REFERENCE_LINE, constructs, drugs_for(a), list(OBSERVABLES), params)
        out[s] = [mean["obs_proliferation_rate"] * 1440.0, mean["obs_death_rate"] * 1440.0, mean["RANK_mRNA"],
                  mean["ER_activity"], mean["obs_HER2_total"], mean["FOXO_activity"]]
    return out


def patient_rates(rows, rates: dict, therapy: str = "none") -> np.ndarray:
    """(patient, state, field) signalling rates of each patient's archetype on ``therapy`` (no lapatinib)."""
    return np.stack([rates[archetype_of(r, therapy).key()] for r in rows.to_dict("records")])


def drug_kill(sensitivity_z: np.ndarray | float = 0.0, median: float | None = None,
              log_sd: float | None = None) -> np.ndarray:
    """Each patient's in vivo scale of drug-induced death: lognormal around the median (``tumour.toml``)."""
    median = value("drug_kill_in_vivo") if median is None else median
    log_sd = value("drug_kill_log_sd") if log_sd is None else log_sd
    return median * np.exp(log_sd * np.asarray(sensitivity_z, dtype=float))


def patient_drug_kill(rows, median: float | None = None, log_sd: float | None = None) -> np.ndarray:
    """``drug_kill`` at each patient's own sensitivity (cohort column ``drug_sensitivity_z``)."""
    return drug_kill(rows["drug_sensitivity_z"].to_numpy(), median, log_sd)


def in_vivo_generators(untreated: np.ndarray, treated: np.ndarray, adcc: np.ndarray, baseline: np.ndarray,
                       chemotherapy: np.ndarray | None = None,
                       volume_doubling_days: np.ndarray | float | None = None,
                       kill_scale: np.ndarray | float | None = None,
                       potential_doubling_days: np.ndarray | float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per patient generator matrices (n, 5, 5) before and during treatment.

    ``untreated``/``treated``: (n, state, field) signalling rates; ``adcc``: (n,) effector kill per day
    of HER2-amplified cells under trastuzumab; ``baseline``: (n, state) cells at diagnosis;
    ``chemotherapy``: (n,) fraction of dividing cells a cytotoxic regimen kills (cell-cycle-specific,
    so it acts in proportion to division; Norton L, Simon R 1977 Cancer Treat Rep 61:1307);
    ``volume_doubling_days``: per patient, else the tumour constant; ``kill_scale``: (n,) or scalar in vivo
    scale of drug-induced death (``drug_kill``), else the median patient's; ``potential_doubling_days``: per
    patient (what-ifs on tumour proliferation), else the tumour constant.

    Each tumour's untreated kinetics match the clinic: its baseline cells divide, in bulk, at the potential
    doubling time (the in vitro rates are rescaled per patient to that pace), and cell loss (necrosis,
    exfoliation, immune clearance) makes it grow only at its volume doubling time. Loss is a fraction of
    each state's division, so a drug that only slows division also slows loss; but the cells' basal death
    from the dish (at the in vivo pace) stays, so slowing division shrinks a tumour once what division still
    makes, less the lost share, falls below it (in SKBR3-based tumours basal death is ~0.4 of division, and
    trastuzumab's ~17 % slower division alone tips the median tumour into regression). Treatment then
    changes division and death as the signalling model says, relative to the untreated tumour."""
    n = len(adcc)
    bulk_division = np.einsum("ns,ns->n", untreated[:, :, 0], baseline) / baseline.sum(axis=1)
    potential = value("potential_doubling_days") if potential_doubling_days is None \
        else np.asarray(potential_doubling_days, dtype=float)
    if not np.all(np.isfinite(potential) & (potential > 0)):
        raise InputError(f"potential doubling times must be finite and > 0 days; got {potential}")
    pace = ((np.log(2) / potential) / bulk_division)[:, None]
    doubling = value("volume_doubling_days") if volume_doubling_days is None else np.asarray(volume_doubling_days)
    chemo = np.zeros(n) if chemotherapy is None else np.asarray(chemotherapy)
    scale = drug_kill() if kill_scale is None else np.asarray(kill_scale, dtype=float)
    scale = np.broadcast_to(scale, (n,))[:, None]

    def build(rates, kill, cytotoxic):
        b = pace * rates[:, :, 0]
        extra_death = np.maximum(rates[:, :, 1] - untreated[:, :, 1], 0.0)  # what the drugs add
        d = pace * (untreated[:, :, 1] + scale * extra_death) + cytotoxic[:, None] * b
        d[:, list(AMPLIFIED)] += kill[:, None]
        return _with_switching(b, d, rates[:, :, FIELDS.index("foxo")])

    before, during = build(untreated, np.zeros(n), np.zeros(n)), build(treated, adcc, chemo)
    bulk_growth = np.einsum("nij,nj->n", before, baseline) / baseline.sum(axis=1)
    # Cell loss is a fraction of the cells produced (Steel's cell-loss factor, phi = 1 - Tpot/Td: Steel GG
    # 1967 Eur J Cancer 3:381): cells made beyond what the tumour's vessels and stroma sustain are lost, so a
    # drug that slows division also slows loss, and only added death shrinks a tumour.
    loss_factor = np.maximum(bulk_growth - np.log(2) / doubling, 0.0) / (pace[:, 0] * bulk_division)
    idx = np.arange(len(STATES))
    before[:, idx, idx] -= loss_factor[:, None] * pace * untreated[:, :, 0]
    during[:, idx, idx] -= loss_factor[:, None] * pace * treated[:, :, 0]
    return before, during


def _with_switching(b: np.ndarray, d: np.ndarray, foxo: np.ndarray) -> np.ndarray:
    """Switching and mutation among the amplified states as in the population layer (same flows)."""
    n = b.shape[0]
    a = np.zeros((n, len(STATES), len(STATES)))
    idx = np.arange(len(STATES))
    a[:, idx, idx] = b - d
    for i, j, p in switching_flows(foxo[:, TOL], foxo[:, BOTH]):
        a[:, j, i] += p * b[:, i]
        a[:, i, i] -= p * b[:, i]
    return a


def initial_cells(total: np.ndarray, non_amplified: np.ndarray) -> np.ndarray:
    """Baseline composition: amplified cells at the parental balance (population layer), plus the subclone."""
    from her2sim.population.dynamics import parental_fractions
    n = len(total)
    out = np.zeros((n, len(STATES)))
    for k in range(n):
        f = parental_fractions(REFERENCE_LINE, (), total[k])
        amp = total[k] * (1 - non_amplified[k])
        out[k, :4] = [amp * f[s] for s in STATES[:4]]
        out[k, NONAMP] = total[k] * non_amplified[k]
    return out


def cell_weighted_mean(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per patient, the mean of a per-state value (n, state) over the tumour's cells (n, state); NaN where no
    cell is left (after a pCR there is nothing to sample)."""
    total = counts.sum(axis=1)
    return np.where(total > 0, (values * counts).sum(axis=1) / np.where(total > 0, total, 1.0), np.nan)


def propagate(counts: np.ndarray, generators: np.ndarray, days: float) -> np.ndarray:
    """counts (n, 5) after ``days`` of dN/dt = A N, each patient its own A (batched matrix exponential)."""
    return np.einsum("nij,nj->ni", expm(generators * days), counts)
