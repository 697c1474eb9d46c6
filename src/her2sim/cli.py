"""The her2sim command line.

Every error a user can cause ends as one line on stderr and exit status 2.
Set HER2SIM_DEBUG=1 to see full tracebacks instead.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from her2sim.errors import Her2simError, InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="her2sim: HER2-positive breast cancer signalling, RANK/NF-kB escape and anti-HER2 therapy, executable.",
)
export_app = typer.Typer(no_args_is_help=True, help="Export the model in the field's standard formats.")
app.add_typer(export_app, name="export")

DEFAULT_READOUTS = [
    "p-HER2", "p-EGFR", "p-ERK", "p-AKT", "p-p65", "p-IkBa", "total RANK",
    "RANK mRNA", "BIRC3 mRNA", "ICAM1 mRNA", "TNFa mRNA", "IL8 mRNA",
]


@app.command()
def info(as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Species, reactions, parameters, cell lines, constructs and agents of the model."""
    import libsbml

    from her2sim.drugs import agents
    from her2sim.model import base_sbml, load_parameters
    from her2sim.variants import cell_lines, constructs

    model = libsbml.readSBMLFromString(base_sbml()).getModel()
    species = [model.getSpecies(i).getId() for i in range(model.getNumSpecies())]
    reactions = [model.getReaction(i).getId() for i in range(model.getNumReactions())]
    params = load_parameters()
    summary = {
        "species": species,
        "reactions": reactions,
        "parameters": {p.name: {"value": p.value, "unit": p.unit, "source": p.source} for p in params.values()},
        "cell_lines": {n: {"description": v.description, "parent": v.parent} for n, v in cell_lines().items()},
        "constructs": {n: v.description for n, v in constructs().items()},
        "agents": {n: {"kind": a.kind, "target": a.target, "mw_g_per_mol": a.mw} for n, a in agents().items()},
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(f"her2sim model: {len(species)} species, {len(reactions)} reactions, {len(params)} parameters")
    typer.echo("\nspecies:\n  " + ", ".join(species))
    typer.echo("\nreactions:\n  " + ", ".join(reactions))
    typer.echo("\nparameters (value unit - source):")
    for p in params.values():
        typer.echo(f"  {p.name} = {p.value:g} {p.unit} - {p.source}")
    typer.echo("\ncell lines:")
    for name, variant in cell_lines().items():
        parent = f" (from {variant.parent})" if variant.parent else ""
        typer.echo(f"  {name}{parent}: {variant.description}")
    typer.echo("\nconstructs:")
    for name, variant in constructs().items():
        typer.echo(f"  {name}: {variant.description}")
    typer.echo("\nagents:")
    for name, agent in agents().items():
        typer.echo(f"  {name} ({agent.kind}): {agent.target}")


@export_app.command("sbml")
def export_sbml(
    out: Annotated[Path, typer.Option("-o", "--out", help="SBML file to write")],
    cell_line: Annotated[str | None, typer.Option("--cell-line", help="write this line's overlay in")] = None,
    construct: Annotated[list[str] | None, typer.Option("--construct", help="constructs (repeatable)")] = None,
) -> None:
    """Write the model as SBML Level 3 (validated with libSBML)."""
    from her2sim.engine import variant_sbml
    from her2sim.model import base_sbml, validate_sbml

    if construct and not cell_line:
        raise InputError("--construct needs --cell-line")
    text = variant_sbml(cell_line, construct or ()) if cell_line else base_sbml()
    problems = validate_sbml(text)
    if problems:
        raise Her2simError(f"the exported SBML has {len(problems)} libSBML errors, first: {problems[0]}")
    _write_text(out, text)
    typer.echo(f"wrote {out} (libSBML: 0 errors)")


@export_app.command("petab")
def export_petab(directory: Annotated[Path, typer.Argument(help="directory to write the PEtab problem into")]) -> None:
    """Write the seeds' cell-line data and the model as a PEtab problem (lint-checked)."""
    from her2sim.calibration.petab_export import lint, write_petab

    _ensure_writable_dir(directory)
    yaml_path = write_petab(directory)
    if not lint(yaml_path):
        raise Her2simError(f"the PEtab problem in {directory} does not pass petab's linter")
    typer.echo(f"wrote {yaml_path} (petab lint: no errors)")


@app.command()
def simulate(
    cell_line: Annotated[str, typer.Option("--cell-line", help="e.g. SKBR3, BT474, HCC1954, SKLR")],
    construct: Annotated[list[str] | None, typer.Option("--construct", help="e.g. RANK-OE (repeatable)")] = None,
    starve: Annotated[str | None, typer.Option("--starve", help="serum starvation before time 0, e.g. 12h")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="TIME:AGENT=DOSE, e.g. 0h:lapatinib=1uM")] = None,
    read: Annotated[list[str] | None, typer.Option("--read", help="readout time(s), e.g. 2h10min")] = None,
    readout: Annotated[list[str] | None, typer.Option("--readout", help="readouts (default: blot + qPCR)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Simulate a protocol; report readouts as fractions of the untreated control of the same line."""
    from her2sim.engine import Protocol
    from her2sim.engine.protocol import ProtocolBuilder
    from her2sim.engine.runner import READOUTS

    constructs = tuple(construct or ())
    builder = ProtocolBuilder(Protocol(name="simulate"))
    if starve:
        builder.protocol = builder.protocol.starve(starve)
    for spec in add or ():
        builder.add_spec(spec)
    if not read:
        raise InputError("no readout time; give --read, e.g. --read 2h10min")
    protocol = builder.protocol.read(*read)
    names = list(readout) if readout else DEFAULT_READOUTS
    unknown = [n for n in names if n not in READOUTS]
    if unknown:
        raise InputError(f"unknown readout {unknown[0]!r}; allowed: {', '.join(READOUTS)}")
    result = _relative_to_control(cell_line, constructs, protocol, names)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"{result['cell_line']}{' + ' + ' + '.join(result['constructs']) if result['constructs'] else ''}")
    typer.echo(f"protocol: {result['protocol']}")
    typer.echo("control: same medium changes, no agents\n")
    header = f"{'readout':<14}" + "".join(f"{_fmt_time(t):>14}" for t in result["read_times_min"])
    typer.echo(header + "   (fraction of control)")
    for name in names:
        cells = []
        for entry in result["readouts"][name]:
            value = entry["fraction_of_control"]
            cells.append(f"{'undetectable':>14}" if value is None else f"{value:>14.3f}")
        typer.echo(f"{name:<14}" + "".join(cells))


@app.command()
def reproduce(
    only: Annotated[str | None, typer.Option("--only", help="comma-separated claim ids")] = None,
    out: Annotated[Path, typer.Option("--out", help="directory for claims.json and report.html")] = Path("results"),
    ensemble: Annotated[Path | None, typer.Option(
        "--ensemble", help="calibration run directory: also report, per claim, the fraction of its ensemble "
                           "members that satisfy it")] = None,
) -> None:
    """Run the seed papers' claims on the model; write claims.json and report.html. Exit 1 if a claim fails.

    A full run (no --only) also compares the model with published measurements (reference.json)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from her2sim.calibration import load_ensemble
    from her2sim.claims import evaluate, select
    from her2sim.report import write_report

    if ensemble is not None:
        load_ensemble(ensemble)  # fail on a bad directory before any simulation

    ids = select([i.strip() for i in only.split(",") if i.strip()] if only else None)
    _ensure_writable_dir(out)
    results = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False, console=_stderr_console()) as progress:
        task = progress.add_task("claims", total=len(ids))
        for claim_id in ids:
            progress.update(task, description=f"claims ({claim_id})")
            results.append(evaluate(claim_id))
            progress.advance(task)
        if ensemble is not None:
            _ensemble_fractions(results, load_ensemble(ensemble), progress)
        reference = None
        if only is None:
            from her2sim.calibration.reference import as_records, compare
            task = progress.add_task("published measurements (calibration targets, held out)", total=1)
            reference = compare()
            progress.advance(task)
            (out / "reference.json").write_text(json.dumps(as_records(reference), indent=2))
    (out / "claims.json").write_text(json.dumps([r.as_dict() for r in results], indent=2))
    write_report(results, out / "report.html", reference)
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "pending")}
    for r in results:
        if r.ensemble:
            typer.echo(f"{r.id}: {r.ensemble['satisfied']}/{r.ensemble['members']} ensemble members satisfy it")
    for r in results:
        if r.status == "fail":
            first = next((c.text() for c in r.checks if not c.passed), r.notes.splitlines()[0] if r.notes else "")
            typer.echo(f"FAIL {r.id}: {first}")
    if reference is not None:
        for role in ("calibration", "held-out"):
            rows = reference[reference["role"] == role]
            typer.echo(f"published measurements, {role}: model within the band for {int(rows['within'].sum())} "
                       f"of {len(rows)} (reference.json)")
    typer.echo(f"wrote {out / 'claims.json'} and {out / 'report.html'}")
    typer.echo(f"{counts['pass']} passed, {counts['fail']} failed, {counts['pending']} pending")
    if counts["fail"]:
        raise typer.Exit(1)


def _ensemble_fractions(results, members, progress) -> None:
    """Re-run every decided claim under each member's parameters; store the fraction that pass."""
    from her2sim.claims import evaluate
    from her2sim.engine.runner import cell_line_values, parameter_values

    decided = [r for r in results if r.status != "pending"]
    failing: dict[str, list[str]] = {r.id: [] for r in decided}
    task = progress.add_task("ensemble", total=len(members) * len(decided))
    for k, (label, member, line_members) in enumerate(members):
        with parameter_values(member), cell_line_values(line_members):
            for r in decided:
                progress.update(task, description=f"ensemble member {k + 1}/{len(members)} ({r.id})")
                if evaluate(r.id).status != "pass":
                    failing[r.id].append(label)
                progress.advance(task)
    for r in decided:
        satisfied = len(members) - len(failing[r.id])
        r.ensemble = {"members": len(members), "satisfied": satisfied,
                      "fraction": round(satisfied / len(members), 4), "failing_members": failing[r.id]}


@app.command()
def calibrate(
    starts: Annotated[int, typer.Option("--starts", help="number of local optimisations")] = 20,
    workers: Annotated[int, typer.Option("--workers", help="parallel processes")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="seed for the start points")] = 0,
    out: Annotated[Path, typer.Option("--out", help="run directory (rerun to resume)")] = Path("calibration"),
    max_iterations: Annotated[int, typer.Option("--max-iterations", help="L-BFGS-B iterations per start")] = 8,
    scan_points: Annotated[int, typer.Option("--scan-points", help="1-D identifiability scan points (0: skip)")] = 5,
    profile: Annotated[str | None, typer.Option(
        "--profile", help="comma-separated parameters to profile after the fit (others re-optimised)")] = None,
    profile_points: Annotated[int, typer.Option("--profile-points", help="grid points per profile")] = 7,
) -> None:
    """Fit the PEtab problem (seed data, ordinal) with pyPESTO multistart and AMICI gradients; resumable."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    for name, value in (("--starts", starts), ("--workers", workers), ("--max-iterations", max_iterations)):
        if value < 1:
            raise InputError(f"{name} must be >= 1; got {value}")
    if scan_points < 0:
        raise InputError(f"--scan-points must be >= 0; got {scan_points}")
    if profile_points < 2:
        raise InputError(f"--profile-points must be >= 2; got {profile_points}")
    if workers > 64:
        raise InputError(f"--workers {workers} is more than this tool will start; give 1-64")
    try:
        import amici  # noqa: F401
        import pypesto  # noqa: F401
    except ImportError:
        raise InputError("calibrate needs AMICI and pyPESTO: pip install -e '.[calibrate]'") from None
    from her2sim.calibration.fit import load_problem, prepare_run, run_multistart
    from her2sim.calibration.outputs import write_outputs

    _ensure_writable_dir(out)
    petab_dir, _ = prepare_run(out, seed, max_iterations)  # refuse an incompatible earlier run before any output
    if profile:
        import pandas as pd

        table = pd.read_csv(petab_dir / "parameters.tsv", sep="\t")
        estimated = set(table.loc[table["estimate"] == 1, "parameterId"])
        unknown = sorted({n.strip() for n in profile.split(",") if n.strip()} - estimated)
        if unknown:
            raise InputError(f"cannot profile {', '.join(unknown)}: not estimated; estimated are "
                             f"{', '.join(sorted(estimated))}")
    best = [float("inf")]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False, console=_stderr_console()) as progress:
        task = progress.add_task("starts", total=starts)

        def done(record, resumed):
            if record["fval"] is not None:
                best[0] = min(best[0], record["fval"])
            progress.update(task, description=f"starts (best objective {best[0]:.4g})")
            progress.advance(task)

        records = run_multistart(out, starts, workers, seed, max_iterations, on_start_done=done)
    summary = write_outputs(load_problem(out / "petab"), out / "petab", out, records, scan_points)
    typer.echo(f"best objective {summary['best_fval']:.6g} (start {summary['best_start']}); "
               f"{summary['ordering_violations_best']} of {summary['ordered_pairs']} ordered pairs violated")
    typer.echo(f"ensemble: {summary['ensemble_members']} members; determined: "
               f"{', '.join(summary['determined']) or 'none'}")
    typer.echo(f"wrote {out / 'summary.json'}, result.hdf5, waterfall.png, fit.png, identifiability.tsv, ensemble.tsv")
    if profile:
        from her2sim.calibration.profiles import profile_plot, run_profiles

        names = [n.strip() for n in profile.split(",") if n.strip()]
        with Progress(*columns, transient=False, console=_stderr_console()) as progress:
            task = progress.add_task("profiles", total=len(names))
            profiles = run_profiles(out, names, workers, profile_points, max_iterations,
                                    on_done=lambda record: progress.advance(task))
        profile_plot({n: profiles[n] for n in names}, out / "profiles.png")
        for n in names:
            p = profiles[n]
            kept = (f"[{p['kept_min']:.3g}, {p['kept_max']:.3g}]" if p["kept_min"] is not None
                    else "nowhere on the grid")
            typer.echo(f"profile {n}: orderings kept over {kept}")
        typer.echo(f"wrote {out / 'profiles.png'} and {out / 'profiles'}/")


@app.command("calibrate-in-vivo")
def calibrate_in_vivo(
    patients: Annotated[int, typer.Option(help="virtual patients per calibration cohort")] = 4000,
    seed: Annotated[int, typer.Option(help="cohort seed")] = 0,
    workers: Annotated[int, typer.Option(help="local Dask workers for the archetype rates")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output with each fit's details")] = False,
) -> None:
    """Refit the calibrated in vivo constants (TBCRC023 drug kill, Slamon chemotherapy kill, naive IHC thresholds)
    on the signalling model as it stands, and print them next to the shipped values (files are not changed)."""
    from dask.distributed import Client

    from her2sim.trials.engine import local_cluster
    from her2sim.trials.in_vivo_calibration import calibrate_in_vivo as fit_in_vivo
    from her2sim.trials.in_vivo_calibration import shipped_values

    if not 1 <= patients <= 100_000:
        raise InputError(f"--patients must be between 1 and 100000; got {patients}")
    if not 1 <= workers <= 64:
        raise InputError(f"--workers must be between 1 and 64; got {workers}")
    shipped = shipped_values()
    with local_cluster(workers) as cluster, \
            Client(cluster) as client:
        result = fit_in_vivo(client, patients, seed)
    if as_json:
        typer.echo(json.dumps({**result, "shipped": shipped}, indent=2, default=float))
        return
    typer.echo(f"{'constant':28s} {'shipped':>10s} {'refitted':>10s}")
    for name, value in result["values"].items():
        typer.echo(f"{name:28s} {shipped[name]:10.4g} {value:10.4g}")
    kill = result["drug_kill"]
    typer.echo(f"TBCRC023 pCR at the fit: {kill['pcr_12_weeks']:.3f} (12 weeks), {kill['pcr_24_weeks']:.3f} (24 weeks)")


@app.command("calibrate-claims")
def calibrate_claims(
    generations: Annotated[int, typer.Option(help="CMA-ES generations")] = 10,
    popsize: Annotated[int | None, typer.Option(help="candidates per generation (default 4 + 3 ln n)")] = None,
    window: Annotated[float, typer.Option(help="search x/÷ this factor around each default")] = 2.0,
    margin: Annotated[float, typer.Option(help="normalised slack every check should keep")] = 0.02,
    sigma: Annotated[float, typer.Option(help="initial CMA-ES step, in units of log(window)")] = 0.1,
    seed: Annotated[int, typer.Option(help="CMA-ES seed")] = 0,
    workers: Annotated[int, typer.Option(help="local Dask workers")] = 2,
    only: Annotated[str | None, typer.Option(
        "--only", help="comma-separated values, NAME or LINE:NAME (default: every value of the in vitro claims point)")
    ] = None,
    rows: Annotated[bool, typer.Option(
        "--rows", help="also hold the in vitro calibration rows (doubling times, trastuzumab survival) in their bands")
    ] = False,
    start: Annotated[Path | None, typer.Option(
        "--start", help="a point (best_point.json format) to centre the search on instead of the defaults")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="run directory (rerun to resume)")] = Path("claims_search"),
) -> None:
    """Search values under which every in vitro claim holds (CMA-ES, the claims as target); resumable.

    Writes best_point.json in the format of the shipped in vitro claims point; it changes no default."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from her2sim.calibration.claims_ranges import checked_inputs, claims_point, parse_target, point_targets
    from her2sim.calibration.claims_search import read_point, search, start_values

    if not 1 <= workers <= 64:
        raise InputError(f"--workers must be between 1 and 64; got {workers}")
    if generations < 1:
        raise InputError(f"--generations must be >= 1; got {generations}")
    if popsize is not None and popsize < 2:
        raise InputError(f"--popsize must be >= 2; got {popsize}")
    if not (margin >= 0 and np.isfinite(margin)):
        raise InputError(f"--margin must be a finite number >= 0; got {margin:g}")
    if seed < 0:
        raise InputError(f"--seed must be >= 0; got {seed}")
    if not 0 < sigma <= 1:
        raise InputError(f"--sigma must be in (0, 1] (a fraction of the log window); got {sigma:g}")
    targets = ([parse_target(t) for t in only.split(",") if t.strip()] if only else point_targets(claims_point()))
    checked_inputs(targets, window, 1)
    start_point = read_point(start) if start is not None else None
    if start_point is not None:
        start_values(targets, start_point)
    _ensure_writable_dir(out)
    from dask.distributed import Client

    from her2sim.trials.engine import local_cluster

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with local_cluster(workers) as cluster, \
            Client(cluster) as client, Progress(*columns, console=_stderr_console()) as progress:
        task = progress.add_task("generations", total=generations)

        def done(generation, best, resumed):
            progress.update(task, advance=1, description=f"generations (best loss {best:.4g})")

        summary = search(targets, out, generations, seed=seed, window=window, margin=margin, popsize=popsize,
                         sigma0=sigma, client=client, on_generation=done, rows=rows, start=start_point)
    centre = "start point" if start_point else "defaults"
    typer.echo(f"{centre}: loss {summary['start_loss']:.4g}, smallest slack {summary['start_min_slack']:+.3f}, "
               f"failing {', '.join(summary['start_failing']) or 'none'}")
    typer.echo(f"best of {summary['evaluations']} points, at 3 digits: loss {summary['rounded_loss']:.4g}, "
               f"smallest slack {summary['rounded_min_slack']:+.3f}, failing "
               f"{', '.join(summary['rounded_failing']) or 'none'}")
    kept = "every in vitro claim and calibration row" if rows else "every in vitro claim"
    typer.echo(f"{summary['ensemble_members']} points keep {kept} (ensemble.tsv, for reproduce --ensemble {out})")
    typer.echo(f"wrote {out / 'best_point.json'}, summary.json, ensemble.tsv, search.png")


@app.command("claims-ranges")
def claims_ranges_command(
    only: Annotated[str | None, typer.Option(
        "--only", help="comma-separated values, NAME or LINE:NAME (default: every value of the in vitro claims point)")
    ] = None,
    factor: Annotated[float, typer.Option(help="search window: x/÷ this factor around the default")] = 4.0,
    steps: Annotated[int, typer.Option(help="bisection steps per side (resolution factor**(1/2**steps))")] = 7,
    workers: Annotated[int, typer.Option(help="local Dask workers")] = 2,
    out: Annotated[Path, typer.Option("--out", help="where to write the table (TSV)")] = Path("claims_ranges.tsv"),
    write: Annotated[bool, typer.Option(
        "--write", help="also record the model-wide ranges in the package's parameters.tsv sources")] = False,
) -> None:
    """For each value calibrated to the in vitro claims, the range (others at default) that keeps every claim."""
    from dask.distributed import Client

    from her2sim.calibration.claims_ranges import (
        checked_inputs,
        claims_point,
        claims_ranges,
        parse_target,
        point_targets,
        record_ranges,
    )
    from her2sim.model.assembly import _package_file
    from her2sim.trials.engine import local_cluster

    if not 1 <= workers <= 64:
        raise InputError(f"--workers must be between 1 and 64; got {workers}")
    if not 1 <= steps <= 20:
        raise InputError(f"--steps must be between 1 and 20; got {steps}")
    targets = ([parse_target(t) for t in only.split(",") if t.strip()] if only else point_targets(claims_point()))
    checked_inputs(targets, factor, steps)
    if out.is_dir():
        raise InputError(f"--out {out} is a directory; give a file name such as claims_ranges.tsv")
    _ensure_writable_dir(out.parent)  # Path("x.tsv").parent is Path("."): the working directory
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with local_cluster(workers) as cluster, \
            Client(cluster) as client, Progress(*columns, console=_stderr_console()) as progress:
        task = progress.add_task("range ends", total=2 * len(targets))
        table = claims_ranges(targets, factor=factor, steps=steps, client=client,
                              on_side_done=lambda: progress.advance(task))
    table.to_csv(out, sep="\t", index=False, float_format="%.4g")
    for row in table.to_dict("records"):
        low = ("<=" if row["lower_reaches_window"] else "") + f"{row['lower']:.3g}"
        high = (">=" if row["upper_reaches_window"] else "") + f"{row['upper']:.3g}"
        limits = ", ".join(c for c in (row["limiting_claim_lower"], row["limiting_claim_upper"]) if c) or "-"
        typer.echo(f"{row['parameter']:34s} {row['default']:9.4g}  [{low}, {high}]  broken by {limits}")
    typer.echo(f"wrote {out}")
    if write:
        written = record_ranges(table, _package_file("parameters.tsv"))
        typer.echo(f"recorded {len(written)} ranges in {_package_file('parameters.tsv')}")


@app.command()
def evolve(
    cell_line: Annotated[str, typer.Option("--cell-line", help="parental line, e.g. SKBR3")],
    protocol: Annotated[str, typer.Option("--protocol", help="chronic-lapatinib, chronic-trastuzumab, or a TOML file")],
    construct: Annotated[list[str] | None, typer.Option("--construct", help="repeatable")] = None,
    cells: Annotated[float, typer.Option("--cells", help="starting cells")] = 1e6,
    fractions: Annotated[str | None, typer.Option(
        "--fractions", help="starting state mix, e.g. sensitive=0.99,tolerant=0.01 (default: switching "
                            "balance)")] = None,
    stochastic: Annotated[bool, typer.Option("--stochastic", help="tau-leaping instead of the ODE")] = False,
    replicates: Annotated[int, typer.Option("--replicates", help="stochastic replicates")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="seed of the stochastic run")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="write composition.csv and composition.png here")] = None,
) -> None:
    """Run a chronic-exposure protocol on a line's cells: state composition over time and the derived line."""
    from her2sim.population import evolve as run
    from her2sim.population import load_protocol, population_cck8, population_readouts
    from her2sim.population.dynamics import composition_figure
    from her2sim.variants import canonical_names

    line, constructs = canonical_names(cell_line, construct or [])
    name, steps = load_protocol(protocol)
    if not np.isfinite(cells) or cells < 1:
        raise InputError(f"--cells must be >= 1; got {cells:g}")
    mix = _parse_fractions(fractions) if fractions else None
    result = run(line, steps, constructs, initial_cells=cells, initial_fractions=mix, stochastic=stochastic,
                 replicates=replicates if stochastic else 1, seed=seed, protocol_name=name)
    readouts = population_readouts(result)
    lapatinib = population_cck8(result, "lapatinib")
    totals = result.totals()
    summary = {"cell_line": line, "constructs": list(constructs), "protocol": name, "mode": result.mode,
               "days": totals["day"].tolist(), "total_cells": totals["cells"].tolist(),
               "final_fractions": result.final_fractions(), "readouts_vs_parental": readouts,
               "lapatinib_absolute_ic50_uM": lapatinib["absolute_ic50_uM"], "passages": result.passages}
    if out is not None:
        _ensure_writable_dir(out)
        result.table.to_csv(out / "composition.csv", index=False)
        from her2sim.report.figures import render

        png = render({"kind": "composition", "title": f"{line} under {name}",
                      "runs": [composition_figure(f"{line}, {result.mode.split(' (')[0]}", result)]})
        (out / "composition.png").write_bytes(base64.b64decode(png))
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(f"{line}{' + ' + '+'.join(constructs) if constructs else ''} under {name}: {result.mode}")
    typer.echo(f"{'day':>6} " + " ".join(f"{s:>19}" for s in result.final_fractions()) + f" {'total cells':>12}")
    table = result.table.groupby(["day", "state"])["cells"].mean().unstack()
    for day, row in table.iterrows():
        total = row.sum()
        shares = " ".join(f"{row[s] / total if total else 0:19.4f}" for s in result.final_fractions())
        typer.echo(f"{day:6.0f} {shares} {total:12.4g}")
    typer.echo("derived population vs parental (drug-free): " + ", ".join(
        f"{k} {v:.2f}" for k, v in readouts.items() if k.endswith("fold")))
    typer.echo(f"lapatinib IC50 (dose halving 4-day survival): {lapatinib['absolute_ic50_uM']:.3g} uM"
               + (" (lower bound: survival stays above 50 %)" if lapatinib["relative_survival"][-1] >= 0.5 else ""))


@app.command()
def irradiate(
    cell_line: Annotated[str, typer.Option("--cell-line", help="e.g. MCF7")] = "MCF7",
    dose_gy: Annotated[float, typer.Option("--dose-gy", help="dose per fraction (Gy)")] = 2.0,
    fractions: Annotated[int, typer.Option("--fractions", help="number of fractions")] = 15,
    interval_days: Annotated[float, typer.Option("--interval-days", help="days between fractions")] = 1.4,
    days: Annotated[float, typer.Option("--days", help="total days, regrowth included")] = 35.0,
    construct: Annotated[list[str] | None, typer.Option("--construct", help="repeatable, e.g. siHER2")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="AGENT=DOSE present throughout")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Fractionated irradiation of a culture with its stem hierarchy; clonogenic survival and spheres."""
    from her2sim.population.stem import lq_survival, run_hierarchy, sphere_units
    from her2sim.variants import canonical_names

    line, constructs = canonical_names(cell_line, construct or [])
    if not 0 <= dose_gy <= 30:
        raise InputError(f"--dose-gy must be between 0 and 30 Gy; got {dose_gy:g}")
    if fractions < 0 or not interval_days > 0:
        raise InputError("--fractions must be >= 0 and --interval-days > 0")
    if days < fractions * interval_days:
        raise InputError(f"--days {days:g} is shorter than the course ({fractions} x {interval_days:g} d)")
    drugs = _steady_agents(add)
    course = run_hierarchy(line, drugs, days=days, fractions_gy=(dose_gy,) * fractions,
                           fraction_interval_days=interval_days, constructs=constructs)
    control = run_hierarchy(line, drugs, days=days, constructs=constructs)
    clonogenic = {k: [lq_survival(line, constructs, drugs, k == "stem")(d) for d in range(0, 9, 2)]
                  for k in ("stem", "non-stem")}
    result = {"cell_line": line, "constructs": list(constructs), "drugs": [list(d) for d in drugs],
              "course": f"{fractions} x {dose_gy:g} Gy every {interval_days:g} d, read at day {days:g}",
              "stem_fraction_irradiated": course.stem_fraction, "stem_fraction_control": control.stem_fraction,
              "cells_irradiated_vs_control": (course.stem[-1] + course.non_stem[-1])
              / (control.stem[-1] + control.non_stem[-1]),
              "clonogenic_doses_gy": [0, 2, 4, 6, 8], "clonogenic_survival": clonogenic,
              "spheres_vs_control": sphere_units(line, constructs, drugs, course.stem_fraction)
              / sphere_units(line, constructs, drugs, control.stem_fraction)}
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"{line}: {result['course']}")
    typer.echo(f"stem fraction {course.stem_fraction:.4f} (unirradiated {control.stem_fraction:.4f}); "
               f"cells vs unirradiated {result['cells_irradiated_vs_control']:.3g}; "
               f"spheres vs unirradiated {result['spheres_vs_control']:.2f}")
    for k, values in clonogenic.items():
        points = "  ".join(f"{d} Gy {v:.3f}" for d, v in zip(range(0, 9, 2), values, strict=True))
        typer.echo(f"clonogenic survival {k:>8}: {points}")


def _steady_agents(add: list[str] | None) -> tuple[tuple[str, str], ...]:
    """--add AGENT=DOSE options as (agent, dose) pairs held throughout."""
    from her2sim.drugs import agent

    drugs = []
    for spec in add or ():
        name, sep, dose = spec.partition("=")
        if not sep:
            raise InputError(f"--add {spec!r} is malformed; give AGENT=DOSE, e.g. trastuzumab=10ug/mL")
        found = agent(name)
        if found.to_nM(dose) < 0:
            raise InputError(f"dose of {found.name} must be >= 0")
        drugs.append((found.name, dose))
    return tuple(drugs)


@app.command()
def xenograft(
    cell_line: Annotated[str, typer.Option("--cell-line", help="e.g. MCF7")] = "MCF7",
    add: Annotated[list[str] | None, typer.Option("--add", help="AGENT=DOSE given from --start-day on")] = None,
    start_day: Annotated[float, typer.Option("--start-day", help="day of the first treatment (0 = at inoculation)")]
    = 0.0,
    days: Annotated[float, typer.Option("--days", help="days after inoculation to follow")] = 70.0,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Xenograft volume from the inoculum with the stem hierarchy in vivo, treated vs untreated.

    Every line's untreated xenograft is paced to the MCF7 doubling time (population/parameters.toml)."""
    from her2sim.population.xenograft import grow_xenograft
    from her2sim.variants import canonical_names

    line, _ = canonical_names(cell_line, [])
    drugs = _steady_agents(add)
    if not drugs:
        raise InputError("give the treatment with --add AGENT=DOSE, e.g. --add trastuzumab=10ug/mL")
    treated = grow_xenograft(line, drugs, start_day=start_day, days=days)
    control = grow_xenograft(line, days=days)
    result = {"cell_line": line, "drugs": [list(d) for d in drugs], "start_day": start_day,
              "days": treated.days, "volume_treated": treated.volume, "volume_control": control.volume,
              "volume_unit": "relative to the inoculum", "stem_fraction_treated": treated.stem_fraction,
              "treated_vs_control_at_end": treated.volume[-1] / control.volume[-1]}
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"{line} xenograft, {', '.join(f'{a} {d}' for a, d in drugs)} from day {start_day:g}")
    for day in range(0, int(days) + 1, 7):
        typer.echo(f"day {day:>3}: control {control.at(day):10.3g}  treated {treated.at(day):10.3g}")
    typer.echo(f"treated / control at day {days:g}: {result['treated_vs_control_at_end']:.3f}")


@app.command()
def pk(
    drug: Annotated[str, typer.Option(help="trastuzumab, lapatinib, pertuzumab, denosumab, letrozole, tamoxifen")],
    regimen: Annotated[str, typer.Option(help='e.g. "8mg/kg loading, 6mg/kg q3w" (default: usual)')] = "",
    weight: Annotated[str, typer.Option(help="body weight, e.g. 68kg")] = "68kg",
    duration: Annotated[str, typer.Option(help="how long to simulate, e.g. 24wk, 126d")] = "24wk",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Plasma concentrations of a drug under a regimen (published population-PK model, typical patient)."""
    from her2sim.drugs import pk as pkmod
    from her2sim.units import parse_time_min, registry

    model = pkmod.pk_model(drug)
    try:
        weight_kg = registry().Quantity(weight.replace(" ", "")).to("kg").magnitude
    except Exception:  # noqa: BLE001 - pint raises several types for junk
        raise InputError(f"--weight {weight!r} is not a mass; give e.g. 68kg") from None
    pkmod.check_weight(weight_kg)
    days = parse_time_min(duration, what="--duration", allow_negative=False) / 1440.0
    text = regimen or model.default_regimen
    series = pkmod.simulate(model.drug, text, weight_kg, days, points_per_day=4)
    ss = pkmod.steady_state(model.drug, text, weight_kg)
    out = {"drug": model.drug, "regimen": text, "weight_kg": weight_kg, "duration_days": days, **ss,
           "tumour_site_factor": model.site_factor,
           "series": {"day": [round(float(d), 4) for d in series["day"]],
                      "ug_per_mL": [float(c) for c in series["mg_per_L"]], "nM": [float(c) for c in series["nM"]]},
           "sources": model.sources}
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    typer.echo(f"{model.drug}, {text}, {weight_kg:g} kg: steady state Cmin {ss['cmin_ss']:.3g}, "
               f"Cmax {ss['cmax_ss']:.3g}, Cavg {ss['cavg_ss']:.3g} ug/mL (every {ss['interval_days']:g} d)")
    for day in np.linspace(0, days, 7):
        row = series.iloc[int(np.argmin(np.abs(series["day"] - day)))]
        typer.echo(f"  day {row['day']:7.1f}: {row['mg_per_L']:.4g} ug/mL ({row['nM']:.4g} nM)")


def _assignments(items: list[str]) -> dict[str, float]:
    """``NAME=VALUE`` strings as a dict; the value must be a number."""
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            out[name.strip()] = float(text)
        except ValueError:
            raise InputError(f"--set takes NAME=VALUE with a number, e.g. tumour_rankl_nM=0.1; got {item!r}") from None
    return out


@app.command()
def trial(
    name: Annotated[str, typer.Argument(help="pamela, pamela-arms, metastatic or ihc-cohorts")],
    patients: Annotated[int, typer.Option(help="number of virtual patients")] = 1000,
    seed: Annotated[int, typer.Option(help="cohort seed: patient i depends only on (seed, i)")] = 0,
    workers: Annotated[int, typer.Option(help="local Dask workers (processes)")] = 2,
    scheduler: Annotated[str, typer.Option(help="address of a running Dask scheduler (overrides --workers)")] = "",
    out: Annotated[Path, typer.Option(help="directory for per-patient Parquet chunks and the summary")] = Path(""),
    chunk: Annotated[int, typer.Option(help="patients per task and per Parquet file")] = 2000,
    set_values: Annotated[list[str] | None, typer.Option(
        "--set", help="what-if NAME=VALUE (repeatable): a tumour or population constant, a model parameter or "
                      "a cohort value by dotted path, e.g. --set tumour_rankl_nM=0.1 "
                      "--set pik3ca_mutation.probability=0")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable summary")] = False,
) -> None:
    """Run a virtual trial on Dask; finished chunks of patients are kept, so a rerun resumes. pamela and
    metastatic also write resistance.tsv: who resists (residual disease) or who progresses, by patient feature."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from her2sim.trials.engine import TRIALS, run_trial, what_if

    if name not in TRIALS:
        raise InputError(f"unknown trial {name!r}; allowed: {', '.join(TRIALS)}")
    if patients < 1:
        raise InputError(f"--patients must be >= 1; got {patients}")
    if chunk < 1:
        raise InputError(f"--chunk must be >= 1; got {chunk}")
    values = _assignments(set_values or [])
    directory = out if str(out) else Path(f"trial-{name}-seed{seed}-n{patients}")

    class Bar:
        def __init__(self, progress):
            self.progress, self.task = progress, None

        def start(self, total, done):
            self.task = self.progress.add_task("patients", total=total, completed=done)

        def advance(self, n):
            self.progress.advance(self.task, n)

    with what_if(values):  # an unknown name or a bad value is refused here, before anything is written
        _ensure_writable_dir(directory)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=_stderr_console()) as progress:
            _, summary = run_trial(name, patients, seed, directory, workers, scheduler or None, Bar(progress), chunk)
    summary = {"trial": name, "seed": seed, "out": str(directory), **({"what_if": values} if values else {}),
               **summary}
    import pandas as pd

    written = directory / "resistance.tsv"  # run_trial wrote it for trials that have who_resists
    resists = pd.read_csv(written, sep="\t").fillna({"note": ""}) if written.exists() else None
    if as_json:
        if resists is not None:  # NaN/None -> null, so the JSON stays strict
            summary["who_resists"] = json.loads(resists.to_json(orient="records"))
        typer.echo(json.dumps(summary, indent=2))
        return
    for key, value in summary.items():
        typer.echo(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    if resists is not None:
        from her2sim.trials.resistance import text_table, title
        typer.echo(f"\n{title(resists)} ({directory / 'resistance.tsv'}):\n{text_table(resists)}")


@app.command()
def viability(
    cell_line: Annotated[str, typer.Option("--cell-line", help="e.g. SKBR3")],
    drug: Annotated[str, typer.Option("--drug", help="e.g. lapatinib")],
    doses: Annotated[str, typer.Option("--doses", help="comma-separated, unit at the end: 0,0.0625,0.25,1,4,16uM")],
    construct: Annotated[list[str] | None, typer.Option("--construct", help="repeatable")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="TIME:AGENT=DOSE, e.g. -1d:RANKL=100ng/mL")] = None,
    days: Annotated[str, typer.Option("--days", help="days of drug before the CCK-8 read")] = "4",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """CCK-8 dose response: relative survival per dose and a 4-parameter log-logistic fit."""
    from her2sim.analysis import fit_4pl
    from her2sim.assays import Treatment, cck8
    from her2sim.drugs import agent

    found = agent(drug)
    doses_uM = [nM / 1000.0 for nM in _parse_dose_list(doses, found)]
    try:
        n_days = float(days)
    except ValueError:
        raise InputError(f"--days {days!r} is not a number; give e.g. 4") from None
    if not n_days > 0 or n_days > 60:
        raise InputError(f"--days {days!r} must be > 0 and <= 60")
    treatments = []
    for spec in add or ():
        if ":" not in spec or "=" not in spec:
            raise InputError(f"addition {spec!r} is malformed; give TIME:AGENT=DOSE, e.g. -1d:RANKL=100ng/mL")
        when, rest = spec.split(":", 1)
        name, dose = rest.split("=", 1)
        agent(name.strip()).to_nM(dose.strip())  # validate now: one clear error line
        from her2sim.units import parse_time_min

        parse_time_min(when.strip())
        treatments.append(Treatment(name.strip(), dose.strip(), when.strip()))
    curve = cck8(cell_line, tuple(construct or ()), found.name, doses_uM, tuple(treatments), days=n_days)
    fit = fit_4pl(curve.doses_uM, curve.relative_survival) if sum(d > 0 for d in curve.doses_uM) >= 3 else None
    result = {
        "cell_line": curve.cell_line, "constructs": list(curve.constructs), "drug": found.name, "days": n_days,
        "treatments": [t.__dict__ for t in treatments], "doses_uM": curve.doses_uM,
        "relative_survival": curve.relative_survival,
        "ic50_uM": fit.ic50 if fit and fit.ic50_within_range else None,
        "emax": fit.emax if fit else None, "auc": fit.auc if fit else None,
        "hill": fit.hill if fit else None, "r_squared": fit.r_squared if fit else None,
        "ic50_note": None if (fit and fit.ic50_within_range) else "IC50 outside the tested range or too few doses",
    }
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"{curve.cell_line}{' + ' + ' + '.join(curve.constructs) if curve.constructs else ''}: "
               f"{found.name}, {n_days:g} days (CCK-8, relative to untreated)")
    for d, s in zip(curve.doses_uM, curve.relative_survival, strict=True):
        typer.echo(f"  {d:>10.4g} uM  {s:6.3f}  " + "#" * int(round(40 * max(0.0, min(s, 1.2)))))
    if fit:
        ic50 = f"{fit.ic50:.3g} uM" if fit.ic50_within_range else "outside tested range"
        typer.echo(f"IC50 {ic50}, Emax {fit.emax:.2f}, AUC {fit.auc:.3f}, Hill {fit.hill:.2f}, R2 {fit.r_squared:.3f}")


def _parse_dose_list(text: str, found) -> list[float]:
    """'0,0.0625,0.25,1uM' -> nM; a unit on the last item applies to items without one."""
    import re

    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise InputError("--doses is empty; give e.g. 0,0.1,1,10uM")
    match = re.match(r"^[-+]?[0-9.]+(?:e[-+]?[0-9]+)?\s*(.*)$", items[-1], flags=re.I)
    default_unit = match.group(1) if match and match.group(1) else ""
    if not default_unit:
        raise InputError(f"--doses {text!r} has no unit; end the list with one, e.g. 0,0.1,1uM")
    doses = []
    for item in items:
        plain = re.fullmatch(r"[-+]?(?:[0-9]*\.?[0-9]+)(?:e[-+]?[0-9]+)?", item, flags=re.I)
        if plain and float(item) < 0:
            raise InputError(f"dose {item!r} in --doses is negative; doses must be >= 0")
        doses.append(found.to_nM(item + default_unit if plain else item))
    return doses


def _ensure_writable_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".her2sim-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise InputError(f"--out {path} is not a writable directory ({error.strerror or error})") from None


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _relative_to_control(cell_line, constructs, protocol, names) -> dict:
    from her2sim.assays import relative_to_control
    from her2sim.variants import canonical_names

    line, construct_names = canonical_names(cell_line, constructs)
    table = relative_to_control(line, construct_names, protocol, names)
    readouts: dict[str, list] = {name: [] for name in names}
    for row in table.itertuples():
        readouts[row.observable].append(
            {"time_min": row.time, "value": row.value, "control": row.control,
             "fraction_of_control": row.fraction_of_control, "model_id": row.model_id}
        )
    return {
        "cell_line": line,
        "constructs": list(construct_names),
        "protocol": protocol.describe(),
        "read_times_min": sorted(set(table["time"])),
        "readouts": readouts,
    }


def _fmt_time(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours}h{rest:02d}min" if hours else f"{rest}min"


def _parse_fractions(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        try:
            mix[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"fraction {part!r} is malformed; give STATE=NUMBER, e.g. sensitive=0.99") from None
        if not sep:
            raise InputError(f"fraction {part!r} is malformed; give STATE=NUMBER, e.g. sensitive=0.99")
    return mix


def _write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None


def _report(error: Exception) -> int:
    """One stderr line for an error; returns the exit status.

    Typer's parsing errors (click's, vendored in recent typer) are recognised by
    their interface rather than their class so this works across typer versions.
    """
    kind = type(error).__name__
    if kind == "Exit" and hasattr(error, "exit_code"):
        return int(error.exit_code)
    if kind == "Abort":
        print("her2sim: interrupted", file=sys.stderr)
        return 130
    if isinstance(error, Her2simError):
        message = str(error)
    elif hasattr(error, "format_message"):
        message = error.format_message()
    else:
        print(f"her2sim: internal error: {type(error).__name__}: {' '.join(str(error).split())} "
              "(rerun with HER2SIM_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
    print(f"her2sim: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning every error into one stderr line and exit status 2."""
    args = sys.argv[1:] if argv is None else argv
    debug = os.environ.get("HER2SIM_DEBUG") == "1"
    try:
        result = app(args=args, prog_name="her2sim", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except KeyboardInterrupt:
        print("her2sim: interrupted", file=sys.stderr)
        code = 130
    except Exception as error:  # noqa: BLE001 - every error becomes one line
        if debug:
            raise
        code = _report(error)
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":
    main()
