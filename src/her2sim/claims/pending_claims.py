"""Claims of layers not built yet: registered as pending, with the layer they wait for.

Every seed claim is decided by a simulation at present, so nothing is registered here; a new
claim whose layer does not exist yet goes into PENDING with the reason."""

from her2sim.claims.registry import pending

PENDING: dict[str, str] = {}

for claim_id, reason in PENDING.items():
    pending(claim_id, reason)
