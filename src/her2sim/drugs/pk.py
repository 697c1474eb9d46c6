"""Pharmacokinetics from published population-PK models (values and sources in ``pk.toml``).

One model shape covers every drug here: a depot (oral or subcutaneous, first-order absorption with
bioavailability F and a lag), a central and an optional peripheral compartment, linear clearance
and optional Michaelis-Menten (target-mediated) elimination from the central compartment:

    dA0/dt = -ka A0
    dA1/dt =  ka A0 + infusion - (CL + Q) C1 + Q C2 - Vmax C1 / (Km + C1)
    dA2/dt =  Q C1 - Q C2                                 (C1 = A1/V1, C2 = A2/V2; mg, L, days)

Body weight scales CL and V as (WT/WT_ref)^exponent. Two solvers share the right-hand side: ``simulate``
(scipy LSODA, one patient, the reference) and ``exposure_batch`` (fixed-step RK4 over many patients at
once, for cohorts; tested against ``simulate``).

What the tumour sees: ``site_nM`` converts plasma concentration to the in vitro medium concentration the
signalling model's potencies refer to (unbound fraction relative to 10 % serum for small molecules;
interstitial/plasma ratio for antibodies); the factor and its reasoning are in ``pk.toml``.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from her2sim.drugs.regimen import Regimen, parse_regimen
from her2sim.errors import InputError

MIN_WEIGHT_KG, MAX_WEIGHT_KG = 30.0, 200.0


@dataclass(frozen=True)
class PKModel:
    drug: str
    route: str  # "iv", "oral", "sc"
    mw: float  # g/mol
    cl: float  # L/day, linear clearance (apparent CL/F for oral)
    v1: float  # L
    q: float = 0.0  # L/day
    v2: float = 1.0  # L
    vmax: float = 0.0  # mg/day
    km: float = 1.0  # mg/L
    ka: float = 0.0  # 1/day
    bioavailability: float = 1.0
    lag_days: float = 0.0
    infusion_hours: float = 0.0
    loading_infusion_hours: float = 0.0
    weight_ref: float = 70.0
    cl_weight_exponent: float = 0.0
    v_weight_exponent: float = 0.0
    iiv_cv: dict = field(default_factory=dict)  # between-patient CV of cl, v1
    site_factor: float = 1.0  # tumour medium-equivalent / plasma
    species: str = ""  # the signalling-model species it sets ("" when it acts through another route)
    default_regimen: str = ""
    sources: dict = field(default_factory=dict)
    validation: dict = field(default_factory=dict)

    def for_patient(self, weight_kg: float, eta_cl: float = 0.0, eta_v: float = 0.0) -> PKModel:
        w = weight_kg / self.weight_ref
        return replace(self, cl=self.cl * w**self.cl_weight_exponent * np.exp(eta_cl),
                       v1=self.v1 * w**self.v_weight_exponent * np.exp(eta_v),
                       q=self.q * w**self.cl_weight_exponent, v2=self.v2 * w**self.v_weight_exponent)


_NUMERIC = ("mw", "cl", "v1", "q", "v2", "vmax", "km", "ka", "bioavailability", "lag_days", "infusion_hours",
            "loading_infusion_hours", "weight_ref", "cl_weight_exponent", "v_weight_exponent", "site_factor")


@functools.cache
def pk_models() -> dict[str, PKModel]:
    table = tomllib.loads(resources.files("her2sim.drugs").joinpath("pk.toml").read_text())
    models = {}
    for name, entry in table.items():
        values = {k: float(entry[k]["value"]) for k in _NUMERIC if k in entry}
        sources = {k: entry[k]["source"] for k in _NUMERIC if k in entry}
        models[name] = PKModel(drug=name, route=entry["route"], species=entry.get("species", ""),
                               default_regimen=entry["default_regimen"],
                               iiv_cv={k: float(v) for k, v in entry.get("iiv_cv", {}).items()},
                               sources={**sources, "iiv_cv": entry.get("iiv_source", "")},
                               validation=entry.get("validation", {}), **values)
    return models


def pk_model(drug: str) -> PKModel:
    wanted = drug.strip().lower()
    for name, model in pk_models().items():
        if wanted == name.lower():
            return model
    raise InputError(f"no pharmacokinetic model for {drug!r}; allowed: {', '.join(pk_models())}")


def check_weight(weight_kg: float) -> None:
    if not MIN_WEIGHT_KG <= weight_kg <= MAX_WEIGHT_KG:
        raise InputError(f"body weight must be between {MIN_WEIGHT_KG:g} and {MAX_WEIGHT_KG:g} kg; got {weight_kg:g}")


def _rhs(m: PKModel, infusion_mg_per_day: float):
    def f(t, a):
        c1, c2 = a[1] / m.v1, a[2] / m.v2
        target = m.vmax * c1 / (m.km + c1) if m.vmax else 0.0
        return [-m.ka * a[0],
                m.ka * a[0] + infusion_mg_per_day - (m.cl + m.q) * c1 + m.q * c2 - target,
                m.q * c1 - m.q * c2]
    return f


def _events(m: PKModel, regimen: Regimen, duration: float) -> list[tuple[float, float, float, float]]:
    """(start, stop, infusion rate mg/day, bolus into depot mg) for each piece of the dosing record."""
    pieces = []
    for k, dose in enumerate(regimen.doses(duration)):
        hours = m.loading_infusion_hours if (k == 0 and regimen.loading_mg) else m.infusion_hours
        if m.route == "iv":
            length = max(hours, 1e-3) / 24.0
            pieces.append((dose.day, dose.day + length, dose.mg / length, 0.0))
        else:
            pieces.append((dose.day + m.lag_days, dose.day + m.lag_days, 0.0, dose.mg * m.bioavailability))
    return pieces


def simulate(drug: str, regimen: str | Regimen, weight_kg: float = 70.0, duration_days: float = 126.0,
             points_per_day: int = 24, model: PKModel | None = None, eta_cl: float = 0.0,
             eta_v: float = 0.0) -> pd.DataFrame:
    """Plasma concentration of one patient (reference solver): columns day, mg_per_L, nM, site_nM.
    ``eta_cl``/``eta_v`` are the patient's log-deviations from the typical CL and V1."""
    check_weight(weight_kg)
    if not duration_days > 0:
        raise InputError(f"duration must be positive; got {duration_days:g} days")
    m = (model or pk_model(drug)).for_patient(weight_kg, eta_cl, eta_v)
    reg = regimen if isinstance(regimen, Regimen) else parse_regimen(regimen, weight_kg)
    grid = np.linspace(0.0, duration_days, int(round(duration_days * points_per_day)) + 1)
    breaks = sorted({0.0, duration_days, *[t for s, e, _, _ in _events(m, reg, duration_days) for t in (s, e)
                                           if t < duration_days]})
    pieces = _events(m, reg, duration_days)
    state = np.zeros(3)
    times, values = [], []
    for start, stop in zip(breaks[:-1], breaks[1:], strict=True):
        for s, _, _, bolus in pieces:
            if bolus and abs(s - start) < 1e-12:
                state[0] += bolus
        rate = sum(r for s, e, r, _ in pieces if s <= start + 1e-12 and e >= stop - 1e-12 and r)
        inside = grid[(grid >= start) & (grid < stop)]
        sol = solve_ivp(_rhs(m, rate), (start, stop), state, method="LSODA", t_eval=np.append(inside, stop),
                        rtol=1e-8, atol=1e-10)
        times.extend(sol.t[:-1])
        values.extend(sol.y[1, :-1] / m.v1)
        state = sol.y[:, -1]
    times.append(duration_days)
    values.append(state[1] / m.v1)
    mg_per_l = np.maximum(np.array(values), 0.0)
    nM = mg_per_l / m.mw * 1e6
    return pd.DataFrame({"day": times, "mg_per_L": mg_per_l, "nM": nM, "site_nM": nM * m.site_factor})


def steady_state(drug: str, regimen: str | Regimen, weight_kg: float = 70.0, model: PKModel | None = None) -> dict:
    """Trough, peak and mean over the last maintenance interval once troughs change by < 0.1 %."""
    m = model or pk_model(drug)
    reg = regimen if isinstance(regimen, Regimen) else parse_regimen(regimen, weight_kg)
    if reg.interval_days is None:
        raise InputError(f"regimen {reg.text!r} is a single dose; steady state needs a repeated schedule")
    tau = reg.interval_days
    n = 8
    previous = None
    while True:
        first = tau if reg.loading_mg is not None else 0.0
        duration = first + n * tau
        series = simulate(drug, reg, weight_kg, duration, points_per_day=max(24, int(48 / tau)), model=m)
        last = series[series["day"] >= duration - tau - 1e-9]
        trough = float(last["mg_per_L"].iloc[-1])
        if previous is not None and abs(trough - previous) <= 1e-3 * max(trough, 1e-12) or n >= 128:
            break
        previous, n = trough, n * 2
    day = last["day"].to_numpy()
    conc = last["mg_per_L"].to_numpy()
    return {"cmin_ss": float(conc.min()), "cmax_ss": float(conc.max()),
            "cavg_ss": float(np.trapezoid(conc, day) / (day[-1] - day[0])), "unit": "ug/mL",
            "interval_days": tau}


def exposure_batch(drug: str, regimen_text: str, weights_kg: np.ndarray, eta_cl: np.ndarray, eta_v: np.ndarray,
                   duration_days: float, window: tuple[float, float], steps_per_day: int = 48) -> np.ndarray:
    """Mean tumour-site concentration (nM) over ``window`` (days) for many patients at once (RK4)."""
    base = pk_model(drug)
    weights_kg = np.asarray(weights_kg, dtype=float)
    w = weights_kg / base.weight_ref
    cl = base.cl * w**base.cl_weight_exponent * np.exp(eta_cl)
    v1 = base.v1 * w**base.v_weight_exponent * np.exp(eta_v)
    q = base.q * w**base.cl_weight_exponent
    v2 = base.v2 * w**base.v_weight_exponent
    n = len(weights_kg)
    a = np.zeros((3, n))
    h = 1.0 / steps_per_day
    steps = int(round(duration_days * steps_per_day))
    # dosing on the step grid: mg per kg scales with weight, so parse per unit weight and multiply
    reg_1kg = parse_regimen(regimen_text, 1.0)
    reg_ref = parse_regimen(regimen_text, base.weight_ref)
    per_kg = not np.isclose(reg_1kg.maintenance_mg, reg_ref.maintenance_mg)
    scale = weights_kg if per_kg else np.ones(n)
    rate = np.zeros(steps)
    bolus = np.zeros(steps + 1)
    for k, dose in enumerate(reg_1kg.doses(duration_days)):
        if base.route == "iv":
            hours = base.loading_infusion_hours if (k == 0 and reg_1kg.loading_mg) else base.infusion_hours
            length = max(1, int(round(hours / 24.0 * steps_per_day)))
            i0 = int(round(dose.day * steps_per_day))
            rate[i0:i0 + length] += dose.mg / (length * h)
        else:
            i0 = int(round((dose.day + base.lag_days) * steps_per_day))
            if i0 <= steps:
                bolus[i0] += dose.mg * base.bioavailability

    def deriv(a, infusion):
        c1, c2 = a[1] / v1, a[2] / v2
        target = base.vmax * c1 / (base.km + c1) if base.vmax else 0.0
        return np.stack([-base.ka * a[0], base.ka * a[0] + infusion - (cl + q) * c1 + q * c2 - target,
                         q * c1 - q * c2])

    start, stop = (int(round(t * steps_per_day)) for t in window)
    total = np.zeros(n)
    for i in range(steps):
        a[0] += bolus[i] * scale
        inf = rate[i] * scale
        k1 = deriv(a, inf)
        k2 = deriv(a + 0.5 * h * k1, inf)
        k3 = deriv(a + 0.5 * h * k2, inf)
        k4 = deriv(a + h * k3, inf)
        c_before = a[1] / v1
        a = a + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        if start <= i < stop:
            total += 0.5 * (c_before + a[1] / v1) * h
    mean_mg_per_l = total / ((stop - start) * h)
    return np.maximum(mean_mg_per_l, 0.0) / base.mw * 1e6 * base.site_factor
