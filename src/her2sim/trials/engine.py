"""Running a trial at scale on Dask, with per-chunk Parquet files so an interrupted trial resumes.

Layout of ``out``: ``run.json`` (settings; a rerun with other settings is refused), ``rates.parquet``
(signalling rates of every archetype), ``patients/chunk_NNNNNN.parquet`` (one per chunk of patients,
written atomically when the chunk is done), ``summary.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from her2sim.engine.runner import cell_line_values, parameter_overrides, parameter_values
from her2sim.errors import InputError
from her2sim.population.dynamics import POPULATION_VALUES, population_values
from her2sim.trials import ihc, metastatic, pamela, pamela_arms, tumour
from her2sim.trials.cohort import COHORT_VALUES, cohort_values
from her2sim.variants import line_value_changes

TRIALS = {"pamela": pamela, "pamela-arms": pamela_arms, "metastatic": metastatic, "ihc-cohorts": ihc}
CHUNK = 2000
MAX_PATIENTS = 10_000_000


def what_ifs() -> dict:
    """Every value in force instead of a shipped one (an ensemble member, a what-if), by kind."""
    return {"parameters": parameter_overrides(), "cell_lines": line_value_changes(),
            "tumour": tumour.TUMOUR_VALUES.current(), "population": POPULATION_VALUES.current(),
            "cohort": COHORT_VALUES.current()}


@contextlib.contextmanager
def _under(changes: dict):
    """Re-enter the caller's ``what_ifs`` in a worker process, which does not share the caller's state."""
    if not any(changes.values()):
        yield  # the shipped values: keep the worker's caches
        return
    with parameter_values(changes["parameters"]), cell_line_values(changes["cell_lines"]), \
            tumour.tumour_values(changes["tumour"]), population_values(changes["population"]), \
            cohort_values(changes["cohort"]):
        yield


@contextlib.contextmanager
def what_if(values: dict[str, float]):
    """One what-if by name, whichever table the name is in: a tumour constant (``tumour.toml``), a population
    constant (population ``parameters.toml``), a signalling-model parameter (``parameters.tsv``) or a cohort
    value by dotted path (``cohort.toml``, e.g. ``pik3ca_mutation.probability``), e.g.
    ``with what_if({"tumour_rankl_nM": 0.1}): run_trial(...)``. Trials run under it on every worker."""
    from her2sim.model import load_parameters

    kinds = {"tumour": {}, "population": {}, "parameters": {}, "cohort": {}}
    for name, value in values.items():
        if name in tumour.TUMOUR_VALUES.names():
            kinds["tumour"][name] = value
        elif name in POPULATION_VALUES.names():
            kinds["population"][name] = value
        elif name in load_parameters():
            kinds["parameters"][name] = value
        elif name in COHORT_VALUES.names():
            kinds["cohort"][name] = value
        else:
            raise InputError(f"unknown value {name!r}: not a tumour constant (tumour.toml), a population constant "
                             "(population/parameters.toml), a model parameter (`her2sim info`) or a cohort value "
                             "(cohort.toml, dotted: pik3ca_mutation.probability)")
    kinds["parameters"] = {**parameter_overrides(), **kinds["parameters"]}
    with _under({**what_ifs(), **kinds}):
        yield


def model_fingerprint() -> str:
    """Hash of everything the archetype rates depend on (model, overlays, population and tumour constants,
    and the values in force: an ensemble member's or a what-if's rates are not the defaults')."""
    from her2sim.model import base_sbml
    h = hashlib.sha256(base_sbml().encode())
    h.update(repr(sorted((kind, sorted(v.items())) for kind, v in what_ifs().items())).encode())
    for package, name in (("her2sim.model", "parameters.tsv"), ("her2sim.variants", "cell_lines.toml"),
                          ("her2sim.variants", "constructs.toml"), ("her2sim.population", "parameters.toml"),
                          ("her2sim.trials", "tumour.toml"), ("her2sim.trials", "cohort.toml"),
                          ("her2sim.drugs", "pk.toml"), ("her2sim.drugs", "agents.toml"),
                          ("her2sim.trials", "tumour.py"), ("her2sim.population", "dynamics.py")):
        h.update(resources.files(package).joinpath(name).read_bytes())
    return h.hexdigest()[:16]


def _rates_frame(archetypes, arrays) -> pd.DataFrame:
    rows = []
    for a, arr in zip(archetypes, arrays, strict=True):
        for s, state in enumerate(tumour.STATES):
            rows.append({**a.__dict__, "state": state, **dict(zip(tumour.FIELDS, arr[s], strict=True))})
    return pd.DataFrame(rows)


def _rates_dict(frame: pd.DataFrame) -> dict:
    out = {}
    fields = tumour.Archetype.__dataclass_fields__
    names = list(fields)
    cast = {"bool": bool, "float": float, "int": int, "str": str}
    for key, group in frame.groupby(names, sort=False):
        a = tumour.Archetype(*(cast[fields[n].type](k) for n, k in zip(names, key, strict=True)))
        out[a.key()] = group.set_index("state").loc[list(tumour.STATES), list(tumour.FIELDS)].to_numpy(dtype=float)
    return out


def _cache_path(name: str) -> Path:
    root = Path(os.environ.get("HER2SIM_CACHE", Path.home() / ".cache" / "her2sim"))
    return root / "trials" / f"rates-{name}-{model_fingerprint()}.parquet"


def cached_rates(name: str = "pamela") -> dict | None:
    """The archetype rates of a trial under the current model, if a run has computed them."""
    path = _cache_path(name)
    return _rates_dict(pd.read_parquet(path)) if path.exists() else None


def rates_table(client, name: str, progress=None) -> dict:
    """Rates of every archetype of the trial: from the cache when the model is unchanged, else computed
    on the Dask cluster (one task per archetype) and cached."""
    module = TRIALS[name]
    name = getattr(module, "RATES", name)  # trials sharing an archetype set share its rates
    cached = cached_rates(name)
    if cached is not None and all(a.key() in cached for a in module.all_archetypes()):
        return cached
    path = _cache_path(name)
    archetypes = module.all_archetypes()
    futures = client.map(_archetype_rates, archetypes, changes=what_ifs(), pure=False)
    arrays = []
    for f in futures:
        arrays.append(f.result())
        if progress:
            progress()
    frame = _rates_frame(archetypes, arrays)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    frame.to_parquet(tmp)
    os.replace(tmp, path)
    return _rates_dict(frame)


def _archetype_rates(archetype, changes: dict) -> np.ndarray:
    """``tumour.archetype_rates`` in a worker process, under the caller's ``what_ifs``."""
    with _under(changes):
        return tumour.archetype_rates(archetype)


def _chunk_task(name: str, seed: int, start: int, stop: int, rates: dict, out_dir: str, changes: dict) -> int:
    module = TRIALS[name]
    with _under(changes):
        table = module.simulate_patients(module.cohort(seed, range(start, stop)), rates)
    path = Path(out_dir) / "patients" / f"chunk_{start:09d}.parquet"
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    table.to_parquet(tmp, index=False)
    os.replace(tmp, path)  # atomic: a chunk file exists only when complete
    return stop - start


def _check_settings(out: Path, settings: dict) -> None:
    run = out / "run.json"
    if run.exists():
        old = json.loads(run.read_text())
        if old != settings:
            diff = ", ".join(f"{k} {old.get(k)!r} -> {settings[k]!r}" for k in settings if old.get(k) != settings[k])
            raise InputError(f"{out} holds a trial with other settings ({diff}); use another --out")
    else:
        run.write_text(json.dumps(settings, indent=2))


def local_cluster(workers: int):
    """The local Dask cluster every her2sim command starts: one thread per worker process.

    Its own log lines (workers starting, retiring, a heartbeat racing the shutdown) are not the user's
    business: a task's error still reaches the user, raised by its future."""
    from dask.distributed import LocalCluster
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                        silence_logs=logging.CRITICAL)


def _client(workers: int, scheduler: str | None):
    from dask.distributed import Client
    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler!r} ({error})") from None
    return Client(local_cluster(workers))


def run_trial(name: str, patients: int, seed: int, out: Path, workers: int = 2, scheduler: str | None = None,
              progress=None, chunk: int = CHUNK) -> tuple[pd.DataFrame, dict]:
    """Run (or resume) a trial; return the per-patient table and the summary."""
    if name not in TRIALS:
        raise InputError(f"unknown trial {name!r}; allowed: {', '.join(TRIALS)}")
    if not 1 <= patients <= MAX_PATIENTS:
        raise InputError(f"--patients must be between 1 and {MAX_PATIENTS}; got {patients}")
    if not 1 <= workers <= 64:
        raise InputError(f"--workers must be between 1 and 64; got {workers}")
    out = Path(out)
    (out / "patients").mkdir(parents=True, exist_ok=True)
    changes = what_ifs()  # handed to every chunk's worker
    changed = {kind: values for kind, values in changes.items() if values}
    _check_settings(out, {"trial": name, "patients": patients, "seed": seed, "chunk": chunk,
                          "model": model_fingerprint(), **({"what_ifs": changed} if changed else {})})
    module = TRIALS[name]
    starts = list(range(0, patients, chunk))
    todo = [s for s in starts if not (out / "patients" / f"chunk_{s:09d}.parquet").exists()]
    client = _client(workers, scheduler) if todo else None  # an unreachable scheduler fails before any output
    if progress:
        progress.start(patients, patients - sum(min(chunk, patients - s) for s in todo))
    if client is not None:
        try:
            rates = rates_table(client, name)
            shared = client.scatter(rates, broadcast=True)
            from dask.distributed import as_completed
            futures = [client.submit(_chunk_task, name, seed, s, min(s + chunk, patients), shared, str(out),
                                     changes, pure=False) for s in todo]
            for f in as_completed(futures):
                done = f.result()
                if progress:
                    progress.advance(done)
        finally:
            own_cluster = None if scheduler else client.cluster
            client.close()
            if own_cluster is not None:  # ours: stop it now, not at interpreter exit
                own_cluster.close()
    table = pd.concat([pd.read_parquet(out / "patients" / f"chunk_{s:09d}.parquet") for s in starts],
                      ignore_index=True)
    summary = module.summary(table)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    if hasattr(module, "who_resists"):
        module.who_resists(table).to_csv(out / "resistance.tsv", sep="\t", index=False)
    return table, summary
