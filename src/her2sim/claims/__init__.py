"""The seeds' findings as executable claims (see registry.py)."""

from her2sim.claims.registry import (
    Check,
    ClaimResult,
    Outcome,
    evaluate,
    in_vitro_ids,
    missing_ids,
    registry,
    seed_claims,
    select,
)

__all__ = ["Check", "ClaimResult", "Outcome", "evaluate", "in_vitro_ids", "missing_ids", "registry", "seed_claims",
           "select"]
