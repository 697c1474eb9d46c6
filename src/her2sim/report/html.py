"""Write the self-contained claims report (HTML, figures embedded as PNG data)."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from her2sim import __version__
from her2sim.claims.registry import ClaimResult
from her2sim.report.figures import render

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;color:#222;
padding:0 1rem}
h1{margin-bottom:.2rem} .sub{color:#666;margin-top:0}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;
text-align:left;vertical-align:top} th{background:#f4f4f4}
.pass{color:#0a6b2d;font-weight:600}.fail{color:#b00020;font-weight:600}.pending{color:#8a6d00;font-weight:600}
section.claim{border:1px solid #ddd;border-radius:6px;padding:.8rem 1rem;margin:1.2rem 0}
.checks li.no{color:#b00020} .checks li{font-family:ui-monospace,monospace;font-size:.82rem}
.counts span{margin-right:1.2rem;font-size:1.1rem} img{max-width:100%} .note{color:#555;font-size:.88rem}
"""


def write_report(results: list[ClaimResult], path: Path, reference=None) -> None:
    """``reference``: the model against published measurements (``calibration.reference.compare``), if run."""
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "pending")}
    with_ensemble = any(r.ensemble for r in results)

    def ensemble_cell(r: ClaimResult) -> str:
        if not with_ensemble:
            return ""
        e = r.ensemble
        return f"<td>{e['satisfied']}/{e['members']} ({e['fraction']:.0%})</td>" if e else "<td></td>"

    rows = "\n".join(
        f"<tr><td><a href='#{r.id}'>{r.id}</a></td><td>{r.seed}</td><td>{r.layer}</td>"
        f"<td class='{r.status}'>{r.status}</td>{ensemble_cell(r)}<td>{html.escape(r.expect)}</td></tr>"
        for r in results
    )
    ensemble_header = "<th>ensemble members satisfying</th>" if with_ensemble else ""
    sections = "\n".join(_section(r) for r in results)
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>her2sim claims report</title><style>{STYLE}</style></head><body>
<h1>her2sim: the seed papers' claims, re-enacted on the model</h1>
<p class="sub">her2sim {__version__} &middot; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC &middot; every status
below was decided by running the simulation now; nothing is stored.</p>
<p class="counts"><span class="pass">{counts['pass']} passed</span><span class="fail">{counts['fail']} failed</span>
<span class="pending">{counts['pending']} pending</span></p>
<h2>Summary</h2>
<table id="summary"><thead><tr><th>claim</th><th>seed</th><th>layer</th><th>status</th>{ensemble_header}
<th>what the seed found</th></tr></thead><tbody>
{rows}
</tbody></table>
{_reference_section(reference)}
<h2>Claims</h2>
{sections}
</body></html>"""
    path.write_text(page)


def _section(r: ClaimResult) -> str:
    checks = "".join(
        f"<li class='{'ok' if c.passed else 'no'}'>{html.escape(c.text())}</li>" for c in r.checks
    )
    image = render(r.figure)
    figure = f"<img alt='figure for {r.id}' src='data:image/png;base64,{image}'>" if image else ""
    value = f"<p><b>Seed's numbers:</b> {html.escape(r.value)}</p>" if r.value else ""
    mode = f"<p class='note'><b>How it ran:</b> {html.escape(r.mode)}</p>" if r.mode else ""
    notes = f"<p class='note'><b>Notes:</b> {html.escape(r.notes)}</p>" if r.notes else ""
    if r.diagnosis:
        notes += (f"<p class='note diagnosis'><b>Why the model misses it</b> (analysis of "
                  f"{html.escape(r.diagnosis['written'])}; the checks above are this run's): "
                  f"{html.escape(r.diagnosis['why'])}</p>")
    return f"""<section class="claim" id="{r.id}">
<h3>{r.id} <span class="{r.status}">{r.status}</span></h3>
<p><b>Seed {r.seed}, {r.layer}.</b> {html.escape(r.setting)}</p>
<p><b>Expected:</b> {html.escape(r.expect)}</p>{value}
<p><b>Criterion:</b> {html.escape(r.criterion)}</p>
<p><b>Tolerance, and why:</b> {html.escape(r.tolerance)}</p>
{mode}<ul class="checks">{checks}</ul>{notes}
{figure}
</section>"""


def _model_note(row) -> str:
    note = getattr(row, "model_note", "")
    return f"<br><span class='note'>{html.escape(note)}</span>" if note else ""


def _reference_section(table) -> str:
    if table is None:
        return ""
    rows = "\n".join(
        f"<tr><td>{html.escape(r.observableId)}</td><td>{html.escape(r.simulationConditionId)}</td><td>{r.role}</td>"
        f"<td>{r.measurement:.3g}</td><td>{r.band_low:.3g} to {r.band_high:.3g}</td>"
        f"<td>{r.model:.3g}{_model_note(r)}</td>"
        f"<td class='{'pass' if r.within else 'fail'}'>{'yes' if r.within else 'no'}</td>"
        f"<td class='note'>{html.escape(r.provenance)}</td></tr>"
        for r in table.itertuples())
    tally = {role: (int(table.loc[table.role == role, "within"].sum()), int((table.role == role).sum()))
             for role in ("calibration", "held-out")}
    return f"""<h2>Published measurements</h2>
<p class="note">Calibration rows are what a calibrated constant was set from (does the fit hold?); held-out rows
were never used to build or tune the model (predictions). Band: 95 % Wilson interval of a proportion, else the
row's stated band. Within band: calibration {tally['calibration'][0]}/{tally['calibration'][1]}, held out
{tally['held-out'][0]}/{tally['held-out'][1]}.</p>
<table id="reference"><thead><tr><th>observable</th><th>condition</th><th>role</th><th>published</th><th>band</th>
<th>model</th><th>within</th><th>source</th></tr></thead><tbody>
{rows}
</tbody></table>"""
