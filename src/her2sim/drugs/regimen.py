"""Dosing regimens as people write them: "8mg/kg loading, 6mg/kg q3w", "1000mg daily", "120mg q4w".

A regimen is a list of parts separated by commas (or "then"). Each part is an amount with a unit
(mg, g, ug, or per kg of body weight) and a schedule word: ``loading`` (one dose at day 0, the
maintenance then starts one interval later), ``once``, ``daily``, ``bid``, ``weekly``, or ``qN`` with
a unit of ``d``, ``w`` or ``m`` (q3w = every 3 weeks, q6m = every 6 months of 365.25/12 days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from her2sim.errors import InputError
from her2sim.units import registry

REGIMEN_HELP = ('a comma-separated list of "<amount><unit> <schedule>", e.g. "8mg/kg loading, 6mg/kg q3w", '
                '"1000mg daily", "120mg q4w"; schedules: loading, once, daily, bid, weekly, q<N>d, q<N>w, q<N>m')
_DAYS_PER_MONTH = 365.25 / 12
_PART = re.compile(r"^\s*(?P<amount>[0-9.]+\s*[a-zA-Z/]+)\s+(?P<schedule>[a-zA-Z0-9.]+)\s*$")
_EVERY = re.compile(r"^q(?P<n>[0-9.]+)(?P<unit>[dwm])$")


@dataclass(frozen=True)
class Dose:
    day: float
    mg: float


@dataclass(frozen=True)
class Regimen:
    text: str
    loading_mg: float | None
    maintenance_mg: float | None
    interval_days: float | None  # None: a single dose

    def doses(self, duration_days: float) -> list[Dose]:
        """Every dose given in [0, duration_days)."""
        out: list[Dose] = []
        start = 0.0
        if self.loading_mg is not None:
            out.append(Dose(0.0, self.loading_mg))
            start = self.interval_days or duration_days
        if self.maintenance_mg is not None:
            if self.interval_days is None:
                out.append(Dose(start, self.maintenance_mg))
            else:
                day = start
                while day < duration_days - 1e-9:
                    out.append(Dose(day, self.maintenance_mg))
                    day += self.interval_days
        return [d for d in out if d.day < duration_days]


def _amount_mg(text: str, weight_kg: float, raw: str) -> float:
    ureg = registry()
    try:
        quantity = ureg.Quantity(text.replace(" ", ""))
    except Exception as exc:  # pint raises several unrelated types for junk
        raise InputError(f"cannot read the amount {text!r} in regimen {raw!r}; give {REGIMEN_HELP}") from exc
    if quantity.check("[mass]"):
        mg = quantity.to("mg").magnitude
    elif quantity.check("[mass]/[mass]"):
        mg = (quantity * ureg.Quantity(weight_kg, "kg")).to("mg").magnitude
    else:
        raise InputError(f"amount {text!r} in regimen {raw!r} is not a mass or mass per kg; give {REGIMEN_HELP}")
    if not mg > 0:
        raise InputError(f"amount {text!r} in regimen {raw!r} must be positive")
    return float(mg)


def _interval_days(schedule: str, raw: str) -> float | None:
    word = schedule.lower()
    fixed = {"daily": 1.0, "qd": 1.0, "od": 1.0, "bid": 0.5, "weekly": 7.0, "once": None}
    if word in fixed:
        return fixed[word]
    match = _EVERY.match(word)
    if not match:
        raise InputError(f"unknown schedule {schedule!r} in regimen {raw!r}; give {REGIMEN_HELP}")
    n = float(match.group("n"))
    if not n > 0:
        raise InputError(f"schedule {schedule!r} in regimen {raw!r} must have a positive interval")
    return n * {"d": 1.0, "w": 7.0, "m": _DAYS_PER_MONTH}[match.group("unit")]


def parse_regimen(text: str, weight_kg: float = 70.0) -> Regimen:
    """'8mg/kg loading, 6mg/kg q3w' -> loading 544 mg, then 408 mg every 21 days (68 kg)."""
    if not weight_kg > 0:
        raise InputError(f"body weight must be positive; got {weight_kg:g} kg")
    parts = [p for p in re.split(r",|;|\bthen\b", str(text)) if p.strip()]
    if not parts:
        raise InputError(f"empty regimen; give {REGIMEN_HELP}")
    loading = maintenance = interval = None
    single = False
    for part in parts:
        match = _PART.match(part)
        if not match:
            raise InputError(f"cannot read {part.strip()!r} in regimen {text!r}; give {REGIMEN_HELP}")
        mg = _amount_mg(match.group("amount"), weight_kg, text)
        schedule = match.group("schedule")
        if schedule.lower() == "loading":
            if loading is not None:
                raise InputError(f"regimen {text!r} has two loading doses; give one")
            loading = mg
            continue
        if maintenance is not None:
            raise InputError(f"regimen {text!r} has two maintenance schedules; give one (plus an optional loading)")
        maintenance, interval = mg, _interval_days(schedule, text)
        single = interval is None
    if maintenance is None:
        raise InputError(f"regimen {text!r} has a loading dose but no maintenance schedule; give {REGIMEN_HELP}")
    if single and loading is not None:
        raise InputError(f"regimen {text!r}: a loading dose needs a repeated maintenance schedule")
    return Regimen(text=str(text), loading_mg=loading, maintenance_mg=maintenance, interval_days=interval)
