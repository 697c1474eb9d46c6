"""Units at the edges: doses and times given by people, parsed with pint.

Inside the model concentrations are nM and times are minutes.
"""

from __future__ import annotations

import functools
import math
import re

import pint

from her2sim.errors import InputError


@functools.cache
def registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry()
    ureg.define("molar = mole / liter = M")
    return ureg


_TIME_WORDS = "weeks|week|wk|w|days|day|d|hours|hour|hrs|hr|h|minutes|minute|mins|min|m|seconds|second|secs|sec|s"
_TIME_TOKEN = re.compile(rf"\s*(\d+(?:\.\d*)?|\.\d+)\s*({_TIME_WORDS})\s*")
_TIME_UNITS = {
    "w": "week", "wk": "week", "week": "week", "weeks": "week",
    "d": "day", "day": "day", "days": "day",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
}
TIME_FORMAT_HELP = "a number with a unit, e.g. 10min, 2h, 2h10min, -1d, 4d"


def parse_time_min(text: str | float | int, what: str = "time", allow_negative: bool = True) -> float:
    """'2h10min' -> 130.0; '-1d' -> -1440.0. Bare numbers are refused (no unit)."""
    if isinstance(text, int | float):
        raise InputError(f"{what} {text!r} has no unit; give {TIME_FORMAT_HELP}")
    raw = str(text).strip()
    sign = 1.0
    body = raw
    if body.startswith("-"):
        sign, body = -1.0, body[1:]
    elif body.startswith("+"):
        body = body[1:]
    position, total, matched = 0, 0.0, False
    while position < len(body):
        match = _TIME_TOKEN.match(body, position)
        if not match:
            raise InputError(f"malformed {what} {raw!r}; give {TIME_FORMAT_HELP}")
        quantity = float(match.group(1)) * registry()(_TIME_UNITS[match.group(2)])
        total += quantity.to("minute").magnitude
        position, matched = match.end(), True
    if not matched:
        raise InputError(f"malformed {what} {raw!r}; give {TIME_FORMAT_HELP}")
    value = sign * total
    if value < 0 and not allow_negative:
        raise InputError(f"{what} {raw!r} is negative; it must be zero or later")
    return value


CONCENTRATION_HELP = "e.g. 1uM, 100nM, 300ng/mL, 10ug/mL"


def parse_concentration_nM(dose: str | float | int, molecular_weight: float | None = None, what: str = "dose") -> float:
    """'1 uM' -> 1000.0; '300 ng/mL' with MW 60 kDa -> 5.0 nM. Bare numbers are refused."""
    if isinstance(dose, int | float):
        raise InputError(f"{what} {dose!r} has no unit; give {CONCENTRATION_HELP}")
    raw = str(dose).strip()
    if not raw:
        raise InputError(f"{what} is empty; give {CONCENTRATION_HELP}")
    normalised = raw.replace("µ", "u").replace("μ", "u")
    try:
        quantity = registry().Quantity(normalised)
    except Exception:
        raise InputError(f"{what} {raw!r} does not parse; give {CONCENTRATION_HELP}") from None
    if not isinstance(quantity, pint.Quantity) or quantity.dimensionless:
        raise InputError(f"{what} {raw!r} has no unit; give {CONCENTRATION_HELP}")
    magnitude = float(quantity.magnitude)
    if not math.isfinite(magnitude):
        raise InputError(f"{what} {raw!r} is not a finite number")
    if magnitude < 0:
        raise InputError(f"{what} {raw!r} is negative; doses must be >= 0")
    ureg = registry()
    if quantity.check("[substance] / [length] ** 3"):
        return float(quantity.to(ureg.nanomolar).magnitude)
    if quantity.check("[mass] / [length] ** 3"):
        if molecular_weight is None:
            raise InputError(
                f"{what} {raw!r} is a mass concentration but no molecular weight is known; give it in molar units"
            )
        molar = quantity / (molecular_weight * ureg("g/mol"))
        return float(molar.to(ureg.nanomolar).magnitude)
    raise InputError(
        f"{what} {raw!r} has unit {quantity.units:~} which is not a concentration; give {CONCENTRATION_HELP}"
    )
