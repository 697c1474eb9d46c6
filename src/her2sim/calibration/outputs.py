"""What a calibration run leaves behind: pyPESTO HDF5, plots, the ensemble, identifiability.

Ordinal data say only "higher", "lower", "undetectable". A parameter vector therefore
either reproduces an ordering or it does not, and the ensemble is defined by that: the
multistart endpoints that violate no more of the data's ordered pairs than the best fit
does. Identifiability is read two ways:
- a one-dimensional scan: each parameter alone over its bounds (others at the best fit),
  keeping the values that violate no more pairs than the best fit. A parameter whose scan
  is feasible over the whole range is certainly not determined (re-optimising the others
  could only widen the interval, as a profile likelihood would);
- the ensemble spread: members that agree within a factor of 3 (0.5 log10) make a
  parameter *determined*; a narrow scan with a wide ensemble spread means the data fix a
  combination of parameters, not this one.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

DETERMINED_LOG10_SPAN = 0.5  # members within a factor ~3 of each other
AT_BOUND_LOG10 = 0.05
MIN_MEMBERS = 5  # fewer endpoints say nothing about spread



def simulated_measurements(problem, petab_dir: Path, x_free: np.ndarray) -> pd.DataFrame:
    """The measurement table with a ``simulation`` column, at parameters ``x_free``."""
    import petab.v1 as petab
    from amici.sim.sundials.petab.v1 import rdatas_to_measurement_df

    ret = problem.objective(np.asarray(x_free), sensi_orders=(0,), return_dict=True)
    data = petab.get_measurement_df(str(petab_dir / "measurements.tsv"))
    if any(rdata.status != 0 for rdata in ret["rdatas"]):  # the model does not simulate here
        return data.assign(simulation=np.nan)
    sim = rdatas_to_measurement_df(ret["rdatas"], problem.objective.amici_model, data)
    keys = ["observableId", "preequilibrationConditionId", "simulationConditionId", "time"]
    sim = sim[keys + ["measurement"]].rename(columns={"measurement": "simulation"})
    return data.merge(sim.drop_duplicates(keys), on=keys, how="left")


def ordering_violations(table: pd.DataFrame) -> int:
    """Pairs in one ordinal group whose simulated order contradicts their categories."""
    count = 0
    for _, group in table.groupby("observableId"):
        cat = group["measurementCategory"].to_numpy()
        sim = group["simulation"].to_numpy()
        lower = cat[:, None] < cat[None, :]
        count += int(np.sum(lower & (sim[:, None] >= sim[None, :])))
    return count


def ensemble(problem, petab_dir: Path, records: dict[int, dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Endpoints that reproduce the data's orderings as well as the best fit (linear parameter values)."""
    rows = []
    ids = [problem.x_names[i] for i in problem.x_free_indices]
    for index, record in sorted(records.items()):
        if record["x"] is None or record["fval"] is None:
            continue
        table = simulated_measurements(problem, petab_dir, np.asarray(record["x"]))
        if table["simulation"].isna().any():
            continue
        violations = ordering_violations(table)
        rows.append({"start": index, "fval": record["fval"], "violations": violations,
                     **{name: 10 ** v for name, v in zip(ids, record["x"], strict=True)}})
    table = pd.DataFrame(rows).sort_values("fval").reset_index(drop=True)
    members = table[table["violations"] == table["violations"].min()]
    return members.reset_index(drop=True), table


def scan(problem, petab_dir: Path, best_x: np.ndarray, allowed_violations: int,
         points: int) -> dict[str, tuple[float, float]] | None:
    """Per parameter, the range (linear) of values (``points`` evenly on log10 between the bounds)
    that keep the data's orderings; None when not scanned."""
    if points == 0:
        return None
    ids = [problem.x_names[i] for i in problem.x_free_indices]
    lb, ub = np.asarray(problem.lb), np.asarray(problem.ub)
    feasible = {}
    for k, name in enumerate(ids):
        kept = [best_x[k]]
        for value in np.linspace(lb[k], ub[k], points):
            x = best_x.copy()
            x[k] = value
            table = simulated_measurements(problem, petab_dir, x)
            if table["simulation"].notna().all() and ordering_violations(table) <= allowed_violations:
                kept.append(value)
        feasible[name] = (float(10 ** min(kept)), float(10 ** max(kept)))
    return feasible


def identifiability(members: pd.DataFrame, petab_dir: Path,
                    scanned: dict[str, tuple[float, float]] | None) -> pd.DataFrame:
    parameters = pd.read_csv(petab_dir / "parameters.tsv", sep="\t", index_col="parameterId")
    parameters = parameters[parameters["estimate"] == 1]
    best = members.iloc[0]
    rows = []
    for name, p in parameters.iterrows():
        logs = np.log10(members[name].to_numpy())
        lo, hi = np.log10(p["lowerBound"]), np.log10(p["upperBound"])
        span = float(logs.max() - logs.min())
        scan_lo, scan_hi = scanned[name] if scanned else (np.nan, np.nan)
        scan_open = bool(scanned) and (np.log10(scan_lo) - lo < AT_BOUND_LOG10
                                       and hi - np.log10(scan_hi) < AT_BOUND_LOG10)
        if scan_open:
            status = "not determined: the data hold over its whole range"
        elif len(members) < MIN_MEMBERS:
            status = "too few ensemble members to judge"
        elif span <= DETERMINED_LOG10_SPAN:
            status = "determined"
        else:
            status = "not determined jointly: the data fix a combination with other parameters"
        rows.append({"parameter": name, "default": p["nominalValue"], "best": float(best[name]),
                     "scan_min": scan_lo, "scan_max": scan_hi,
                     "member_min": float(10 ** logs.min()), "member_max": float(10 ** logs.max()),
                     "member_log10_span": span, "lower_bound": p["lowerBound"], "upper_bound": p["upperBound"],
                     "status": status, "source": p.get("source", "")})
    return pd.DataFrame(rows)


def waterfall_plot(result, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pypesto.visualize

    ax = pypesto.visualize.waterfall(result, size=(7, 4))
    ax.set_title("Multistart waterfall (ordinal objective, seed 000 cell-line data)")
    ax.figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close("all")


def fit_plot(best: pd.DataFrame, defaults: pd.DataFrame, path: Path) -> None:
    """Simulated readout (scaled to the group's maximum) per data category, for each ordinal group."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sorted(best["observableId"].unique())
    cols = 6
    rows = int(np.ceil(len(groups) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols, 2.0 * rows), squeeze=False)
    for ax, obs in zip(axes.flat, groups, strict=False):
        for table, colour, label in ((defaults, "0.6", "defaults"), (best, "C3", "best fit")):
            g = table[table["observableId"] == obs]
            scale = max(float(g["simulation"].abs().max()), 1e-12)
            jitter = 0.08 if label == "best fit" else -0.08
            ax.plot(g["measurementCategory"] + jitter, g["simulation"] / scale, "o", color=colour, ms=4, label=label)
        ax.set_title(obs.replace("__", "\n"), fontsize=6)
        ax.set_xticks(sorted(best.loc[best["observableId"] == obs, "measurementCategory"].unique()))
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(groups):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6)
    fig.supxlabel("data category (ordinal)", fontsize=8)
    fig.supylabel("simulated / group max", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_outputs(problem, petab_dir: Path, out: Path, records: dict[int, dict], scan_points: int = 9) -> dict:
    import pypesto.store

    from her2sim.calibration.fit import nominal_point, pypesto_result

    result = pypesto_result(problem, records)
    hdf5 = out / "result.hdf5"
    pypesto.store.write_result(result, str(hdf5), overwrite=True, problem=False, optimize=True)
    waterfall_plot(result, out / "waterfall.png")

    members, endpoints = ensemble(problem, petab_dir, records)
    endpoints.to_csv(out / "endpoints.tsv", sep="\t", index=False)
    members.to_csv(out / "ensemble.tsv", sep="\t", index=False)
    best_x = np.asarray(records[int(members.iloc[0]["start"])]["x"])
    scanned = scan(problem, petab_dir, best_x, int(members.iloc[0]["violations"]), scan_points)
    table = identifiability(members, petab_dir, scanned)
    table.to_csv(out / "identifiability.tsv", sep="\t", index=False)

    fit_plot(simulated_measurements(problem, petab_dir, best_x),
             simulated_measurements(problem, petab_dir, nominal_point(problem, petab_dir)), out / "fit.png")
    summary = {
        "starts": len(records), "best_fval": float(members.iloc[0]["fval"]),
        "best_start": int(members.iloc[0]["start"]),
        "fvals": [records[i]["fval"] for i in sorted(records)],
        "converged": sum("CONVERGENCE" in records[i]["message"].upper() for i in records),
        "ordering_violations_best": int(members.iloc[0]["violations"]),
        "ordered_pairs": _ordered_pairs(petab_dir),
        "ensemble_members": len(members),
        "determined": table.loc[table["status"] == "determined", "parameter"].tolist(),
        "not_determined": table.loc[table["status"] != "determined", "parameter"].tolist(),
        "files": ["result.hdf5", "waterfall.png", "fit.png", "endpoints.tsv", "ensemble.tsv", "identifiability.tsv"],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def _ordered_pairs(petab_dir: Path) -> int:
    data = pd.read_csv(petab_dir / "measurements.tsv", sep="\t")
    total = 0
    for _, g in data.groupby("observableId"):
        cat = g["measurementCategory"].to_numpy()
        total += int(np.sum(cat[:, None] < cat[None, :]))
    return total


__all__ = ["ensemble", "identifiability", "scan", "ordering_violations", "simulated_measurements", "write_outputs"]
