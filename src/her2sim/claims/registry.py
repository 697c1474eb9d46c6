"""The executable claims registry.

Every id of the seed claims (``seed_claims.yaml``, identical to
``shared/claims.yaml``) is registered here with the simulation that decides it.
A claim's status is computed from its checks each time it runs: nothing is stored.
Claims of layers not built yet are ``pending`` with the reason.
"""

from __future__ import annotations

import functools
import operator
import time
import tomllib
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from her2sim.errors import InputError

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass
class Check:
    """One comparison of a simulated value with a threshold."""

    description: str
    value: float
    op: str
    threshold: float

    @property
    def passed(self) -> bool:
        return bool(OPERATORS[self.op](self.value, self.threshold))

    def text(self) -> str:
        mark = "ok" if self.passed else "NOT MET"
        return f"{self.description}: {self.value:.3g} {self.op} {self.threshold:g} [{mark}]"

    def as_dict(self) -> dict:
        return {"description": self.description, "value": float(self.value), "op": self.op,
                "threshold": float(self.threshold), "passed": self.passed}


@dataclass
class Outcome:
    checks: list[Check]
    figure: dict | None = None
    notes: str = ""
    mode: str = ""


@dataclass(frozen=True)
class ClaimSpec:
    id: str
    criterion: str
    tolerance: str
    run: Callable[[], Outcome] | None = None
    pending_reason: str = ""


@dataclass
class ClaimResult:
    id: str
    seed: str
    layer: str
    setting: str
    expect: str
    value: str
    status: str
    criterion: str
    tolerance: str
    checks: list[Check] = field(default_factory=list)
    notes: str = ""
    mode: str = ""
    figure: dict | None = None
    seconds: float = 0.0
    ensemble: dict | None = None  # {"members": n, "satisfied": k, "fraction": k / n} under a parameter ensemble
    diagnosis: dict | None = None  # why the model misses it ({"why", "written"}, diagnoses.toml); only when failing

    @property
    def measured(self) -> dict:
        return {c.description: round(float(c.value), 6) for c in self.checks}

    def as_dict(self) -> dict:
        return {
            "id": self.id, "seed": self.seed, "layer": self.layer, "status": self.status,
            "setting": self.setting, "expect": self.expect, "value": self.value,
            "criterion": self.criterion, "tolerance": self.tolerance, "measured": self.measured,
            "checks": [c.as_dict() for c in self.checks], "notes": self.notes, "mode": self.mode,
            "seconds": round(self.seconds, 3),
            **({"ensemble": self.ensemble} if self.ensemble else {}),
            **({"diagnosis": self.diagnosis} if self.diagnosis else {}),
        }


_REGISTRY: dict[str, ClaimSpec] = {}


def claim(claim_id: str, criterion: str, tolerance: str):
    """Register a function returning an ``Outcome`` as the test of ``claim_id``."""

    def register(function: Callable[[], Outcome]) -> Callable[[], Outcome]:
        if claim_id in _REGISTRY:
            raise RuntimeError(f"claim {claim_id} registered twice")
        _REGISTRY[claim_id] = ClaimSpec(claim_id, criterion, tolerance, function)
        return function

    return register


def pending(claim_id: str, reason: str, criterion: str = "", tolerance: str = "") -> None:
    _REGISTRY[claim_id] = ClaimSpec(claim_id, criterion or "decided once its layer exists", tolerance, None, reason)


@functools.cache
def seed_claims() -> dict[str, dict]:
    """The seed claims, in file order. ``seed_claims.yaml`` is byte-identical to shared/claims.yaml."""
    text = resources.files("her2sim.claims").joinpath("seed_claims.yaml").read_text()
    return {entry["id"]: entry for entry in parse_claims(text)}


@functools.cache
def diagnoses() -> dict[str, dict]:
    """Why the model misses each claim it fails (``diagnoses.toml``): claim id -> {"why", "written"}."""
    table = tomllib.loads(resources.files("her2sim.claims").joinpath("diagnoses.toml").read_text())
    unknown = sorted(set(table) - set(seed_claims()))
    if unknown:
        raise ValueError(f"diagnoses.toml names unknown claim ids: {', '.join(unknown)}")
    return {cid: {"why": " ".join(entry["why"].split()), "written": str(entry["written"])}
            for cid, entry in table.items()}


def parse_claims(text: str) -> list[dict]:
    """Read the claims file: a list of flat ``key: value`` entries.

    The shared file is YAML in spirit, but some values contain an unquoted
    ``": "`` (e.g. S001-RES-MUC4), which strict YAML rejects; each line is
    therefore split at its first ``": "`` and quotes around a value removed.
    """
    entries: list[dict] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0] if raw.lstrip().startswith("#") else raw
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped == "claims:":
            continue
        if stripped.startswith("- "):
            entries.append({})
            stripped = stripped[2:]
        if not entries or ":" not in stripped:
            raise InputError(f"claims file: cannot read line {raw!r}")
        key, _, value = stripped.partition(":")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        entries[-1][key.strip()] = value
    return entries


def registry() -> dict[str, ClaimSpec]:
    from her2sim.claims import patient, pending_claims, population, signaling, viability  # noqa: F401  (registration)

    return {cid: _REGISTRY[cid] for cid in seed_claims() if cid in _REGISTRY}


IN_VITRO_LAYERS = ("signaling", "viability")


def in_vitro_ids() -> list[str]:
    """Registered claims decided by cell-line simulations (the signalling and viability layers)."""
    return [cid for cid in registry() if seed_claims()[cid]["layer"] in IN_VITRO_LAYERS]


def missing_ids() -> list[str]:
    return [cid for cid in seed_claims() if cid not in registry()]


def select(ids: list[str] | None) -> list[str]:
    known = list(registry())
    if not ids:
        return known
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise InputError(f"unknown claim id {unknown[0]!r}; allowed: {', '.join(known)}")
    return [i for i in known if i in ids]


def evaluate(claim_id: str) -> ClaimResult:
    spec = registry()[claim_id]
    meta = seed_claims()[claim_id]
    base = dict(id=claim_id, seed=str(meta["seed"]), layer=meta["layer"], setting=meta.get("setting", ""),
                expect=meta["expect"], value=meta.get("value", ""), criterion=spec.criterion,
                tolerance=spec.tolerance)
    if spec.run is None:
        return ClaimResult(**base, status="pending", notes=spec.pending_reason)
    start = time.perf_counter()
    try:
        outcome = spec.run()
    except Exception as error:  # a claim that cannot be simulated fails, with the reason
        return ClaimResult(**base, status="fail", notes=f"simulation error: {error!r}\n{traceback.format_exc(limit=3)}",
                           seconds=time.perf_counter() - start)
    status = "pass" if outcome.checks and all(c.passed for c in outcome.checks) else "fail"
    return ClaimResult(**base, status=status, checks=outcome.checks, notes=outcome.notes, mode=outcome.mode,
                       figure=outcome.figure, seconds=time.perf_counter() - start,
                       diagnosis=diagnoses().get(claim_id) if status == "fail" else None)
