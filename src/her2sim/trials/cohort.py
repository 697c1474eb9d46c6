"""Virtual early HER2-positive patients: covariates drawn from sourced distributions (``cohort.toml``).

Each patient's randomness comes only from (seed, patient index), so a patient is the same whichever
chunk, worker or run computes it.
"""

from __future__ import annotations

import copy
import functools
import tomllib
from importlib import resources

import numpy as np
import pandas as pd

from her2sim.drugs.pk import pk_model
from her2sim.engine.runner import ConstantValues
from her2sim.errors import InputError

SUBTYPES = ("HER2-enriched", "Luminal A", "Luminal B", "Basal-like", "Normal-like")
GENOTYPES = ("VV", "VF", "FF")


@functools.cache
def _file_table() -> dict:
    return tomllib.loads(resources.files("her2sim.trials").joinpath("cohort.toml").read_text())


def _numeric_leaves(table: dict, prefix: str = "") -> dict[str, float | int]:
    """Every number of the table by dotted path, e.g. ``pik3ca_mutation.probability``."""
    out = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_numeric_leaves(value, f"{path}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[path] = value
    return out


def _is_fraction(path: str) -> bool:
    """Probabilities, frequencies and fractions of cells."""
    leaf = path.rsplit(".", 1)[-1]
    return (leaf.startswith("probability") or leaf in ("fraction_min", "fraction_max", "background_fraction",
                                                       "primary_positive", "adcc_remaining")
            or path.startswith("subtype.") or path in (f"fcgr3a.{g}" for g in GENOTYPES))


def _check_what_if(changes: dict[str, float]) -> None:
    """What the generator cannot draw from: fractions above 1, a non-integer count, a range whose minimum
    exceeds its maximum, or a categorical distribution with no weight left."""
    shipped = _numeric_leaves(_file_table())
    values = {**shipped, **changes}
    for path, value in changes.items():
        if _is_fraction(path) and value > 1:
            raise InputError(f"cohort value {path} is a fraction; it must be between 0 and 1, got {value}")
        if isinstance(shipped[path], int) and value != int(value):
            raise InputError(f"cohort value {path} is a count; it must be a whole number, got {value}")
    for low, high in (("age.min", "age.max"), ("weight_kg.min", "weight_kg.max"),
                      ("tumour_diameter_cm.min", "tumour_diameter_cm.max"),
                      ("her2_heterogeneity.fraction_min", "her2_heterogeneity.fraction_max")):
        if values[low] > values[high]:
            raise InputError(f"cohort value {low} ({values[low]}) must not exceed {high} ({values[high]})")
    for group, members in (("subtype.hr_positive", SUBTYPES), ("subtype.hr_negative", SUBTYPES),
                           ("fcgr3a", GENOTYPES)):
        if sum(values[f"{group}.{m}"] for m in members) <= 0:
            raise InputError(f"cohort values {group}.* must not all be 0: patients are drawn from them")


COHORT_VALUES = ConstantValues("cohort value", lambda: _numeric_leaves(_file_table()), _check_what_if)
cohort_values = COHORT_VALUES.values  # what-ifs: with cohort_values({"pik3ca_mutation.probability": 0.0}): ...


@functools.lru_cache(maxsize=8)
def _table_under(changes: tuple[tuple[str, float], ...]) -> dict:
    table = copy.deepcopy(_file_table())
    for path, value in changes:
        *parents, leaf = path.split(".")
        node = table
        for key in parents:
            node = node[key]
        node[leaf] = int(value) if isinstance(node[leaf], int) else value
    return table


def cohort_table() -> dict:
    """cohort.toml, with any ``cohort_values`` what-if (dotted path -> number) in place."""
    return _table_under(tuple(sorted(COHORT_VALUES.current().items())))


def _truncated_normal(rng, mean, sd, low, high) -> float:
    for _ in range(10_000):
        x = rng.normal(mean, sd)
        if low <= x <= high:
            return float(x)
    raise InputError(f"cannot draw from a normal({mean}, {sd}) truncated to [{low}, {high}]: almost no mass there")


def _nearest_level(levels, log2_value) -> float:
    levels = np.asarray(levels, dtype=float)
    return float(levels[np.argmin(np.abs(np.log2(levels) - log2_value))])


def patient(seed: int, index: int) -> dict:
    """One patient's covariates."""
    c = cohort_table()
    rng = np.random.default_rng([int(seed), int(index)])
    age = _truncated_normal(rng, c["age"]["mean"], c["age"]["sd"], c["age"]["min"], c["age"]["max"])
    weight = _truncated_normal(rng, c["weight_kg"]["mean"], c["weight_kg"]["sd"], c["weight_kg"]["min"],
                               c["weight_kg"]["max"])
    hr_pos = bool(rng.random() < c["hormone_receptor_positive"]["probability"])
    table = c["subtype"]["hr_positive" if hr_pos else "hr_negative"]
    probs = np.array([table[s] for s in SUBTYPES], dtype=float)
    subtype = SUBTYPES[int(rng.choice(len(SUBTYPES), p=probs / probs.sum()))]
    luminal = subtype in ("Luminal A", "Luminal B")
    her2 = c["her2_level"]
    p_high = her2["probability_high_her2e"] if subtype == "HER2-enriched" else her2["probability_high_other"]
    her2_level = float(her2["levels"][1] if rng.random() < p_high else her2["levels"][0])
    rp = c["rank_promoter"]
    rank_log2 = rng.normal(0.0, rp["log2_sd"]) + (0 if hr_pos else rp["log2_shift_hr_negative"]) + \
        (0 if luminal else rp["log2_shift_non_luminal"])
    het = c["her2_heterogeneity"]
    non_amplified = (float(rng.uniform(het["fraction_min"], het["fraction_max"])) if rng.random() < het["probability"]
                     else het["background_fraction"])
    d = c["tumour_diameter_cm"]
    diameter = float(np.clip(np.exp(rng.normal(d["log_mean"], d["log_sd"])), d["min"], d["max"]))
    f = c["fcgr3a"]
    genotype = GENOTYPES[int(rng.choice(3, p=np.array([f[g] for g in GENOTYPES]) / sum(f[g] for g in GENOTYPES)))]
    pk_eta = {}
    for drug in ("trastuzumab", "lapatinib"):
        cv = pk_model(drug).iiv_cv
        pk_eta[f"eta_cl_{drug}"] = float(rng.normal(0, np.sqrt(np.log1p(cv.get("cl", 0) ** 2))))
        pk_eta[f"eta_v_{drug}"] = float(rng.normal(0, np.sqrt(np.log1p(cv.get("v1", 0) ** 2))))
    return {
        "patient": int(index), "age": age, "premenopausal": age < c["menopause"]["age"], "weight_kg": weight,
        "hr_positive": hr_pos, "subtype": subtype, "her2_level": her2_level,
        "rank_promoter": _nearest_level(rp["levels"], rank_log2),
        "pik3ca_mutant": bool(rng.random() < c["pik3ca_mutation"]["probability"]),
        "p95her2": bool(rng.random() < c["p95her2"]["probability"]),
        "non_amplified_fraction": non_amplified, "diameter_cm": diameter,
        "tumour_cells": float(np.pi / 6 * diameter**3 * c["cells_per_cm3"]["value"]),
        "fcgr3a": genotype, "immune_escape": bool(rng.random() < c["immune_escape"]["probability"]),
        "rankl_stroma_log2": float(rng.normal(0.0, c["rankl_stroma"]["log2_sd"])),
        "noise_rank_baseline": float(rng.normal(0, c["ncounter"]["technical_sd_log2"])),
        "noise_rank_surgery": float(rng.normal(0, c["ncounter"]["technical_sd_log2"])),
        "noise_rankl_baseline": float(rng.normal(0, c["ncounter"]["technical_sd_log2"])),
        "noise_rankl_surgery": float(rng.normal(0, c["ncounter"]["technical_sd_log2"])),
        **pk_eta,
        # own stream, so adding it left every other covariate of a patient unchanged
        "drug_sensitivity_z": float(np.random.default_rng([int(seed), int(index), 3]).normal()),
    }


def patients(seed: int, indices) -> pd.DataFrame:
    return pd.DataFrame([patient(seed, i) for i in indices])
