"""Figures a biologist expects for each kind of claim, drawn with matplotlib.

- dose_response: relative survival against log dose (seed 000 Fig. 4b/5c)
- blot: bands as a heatmap, lanes x readouts, below-floor cells marked (Fig. 4c/5d)
- bars: qPCR-style grouped bars with a reference line (Fig. 3e/5b)
- composition: a population's cell states over time (stacked fractions) with total cells
- clonogenic: surviving fraction (log) against radiation dose (linear), as clonogenic assays are drawn
- kaplan_meier: step curves of the fraction free of progression against months, median marked
- growth: xenograft volume (log) against days, treatment starts marked
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def render(figure: dict | None) -> str | None:
    """PNG of the figure spec, base64-encoded; None when there is nothing to draw."""
    if not figure:
        return None
    drawer = {"dose_response": _dose_response, "blot": _blot, "bars": _bars,
              "composition": _composition, "clonogenic": _clonogenic,
              "kaplan_meier": _kaplan_meier, "growth": _growth}.get(figure.get("kind"))
    if drawer is None:
        return None
    fig = drawer(figure)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _dose_response(spec):
    """One panel per cell line (first word of each label), as in seed 000 Fig. 5c."""
    panels: dict[str, list] = {}
    for curve in spec["curves"]:
        panels.setdefault(curve["label"].split()[0], []).append(curve)
    if len(spec["curves"]) <= 4:
        panels = {"": spec["curves"]}
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 0.6, 3.6), sharey=True, squeeze=False)
    for ax, (name, curves) in zip(axes[0], panels.items(), strict=True):
        for curve in curves:
            doses = np.asarray(curve["doses"], float)
            survival = np.asarray(curve["survival"], float)
            shown = doses > 0
            # the untreated point is drawn one decade below the lowest dose, as labs plot it
            x0 = doses[shown].min() / 10
            label = curve["label"][len(name):].strip() or curve["label"]
            ax.plot(np.r_[x0, doses[shown]], np.r_[survival[~shown][:1], survival[shown]], marker="o", ms=3,
                    label=label)
        ax.set_xscale("log")
        ax.set_xlabel(spec.get("xlabel", "dose"))
        ax.set_ylim(0, 1.15)
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7, frameon=False)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("relative survival (CCK-8)")
    fig.suptitle(spec["title"], fontsize=10)
    return fig


def _blot(spec):
    values = np.asarray(spec["values"], float)
    fig, ax = plt.subplots(figsize=(max(4.0, 0.7 * values.shape[1] + 2), 0.45 * values.shape[0] + 1.6))
    shown = np.log2(np.clip(values, 1e-3, None))
    image = ax.imshow(shown, cmap="RdBu_r", vmin=-4, vmax=4, aspect="auto")
    ax.set_xticks(range(values.shape[1]), spec["columns"], rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(values.shape[0]), spec["rows"], fontsize=8)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            text = "n.d." if values[i, j] < spec.get("floor", 0.1) else f"{values[i, j]:.2g}"
            ax.text(j, i, text, ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label="log2 band vs reference")
    ax.set_title(spec["title"], fontsize=10)
    return fig


def _bars(spec):
    groups = spec["groups"]
    labels = list(groups)
    series = sorted({k for g in groups.values() for k in g})
    fig, ax = plt.subplots(figsize=(max(5.0, 0.55 * len(labels) * max(1, len(series)) ** 0.5 + 2), 3.6))
    width = 0.8 / max(1, len(series))
    for k, name in enumerate(series):
        heights = [groups[label].get(name, np.nan) for label in labels]
        ax.bar(np.arange(len(labels)) + k * width - 0.4 + width / 2, heights, width, label=name)
    if spec.get("reference") is not None:
        ax.axhline(spec["reference"], color="k", lw=0.8, ls="--")
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right", fontsize=8)
    ax.set_title(spec["title"], fontsize=10)
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3, axis="y")
    return fig


def _composition(spec):
    """One panel per run: state fractions stacked over days, total cells (log, right axis)."""
    runs = spec["runs"]
    fig, axes = plt.subplots(1, len(runs), figsize=(4.6 * len(runs), 3.4), squeeze=False)
    for ax, run in zip(axes[0], runs, strict=True):
        days = run["days"]
        ax.stackplot(days, *[run["fractions"][s] for s in run["states"]], labels=run["states"], alpha=0.85)
        ax.set_ylim(0, 1)
        ax.set_xlabel("days")
        ax.set_ylabel("fraction of cells")
        ax.set_title(run["title"], fontsize=9)
        twin = ax.twinx()
        twin.semilogy(days, run["cells"], "k-", lw=1.2)
        twin.set_ylabel("cells (after passaging)", fontsize=8)
    axes[0][0].legend(fontsize=7, loc="lower left", frameon=True)
    fig.suptitle(spec["title"], fontsize=10)
    fig.tight_layout()
    return fig


def _clonogenic(spec):
    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    for curve in spec["curves"]:
        ax.semilogy(curve["doses"], curve["survival"], "o-", label=curve["label"])
    ax.set_xlabel("dose (Gy)")
    ax.set_ylabel("surviving fraction")
    ax.set_title(spec["title"], fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3, which="both")
    return fig


def _kaplan_meier(spec):
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for curve in spec["curves"]:
        ax.step(curve["months"], curve["survival"], where="post", label=f"{curve['label']} "
                f"(median {curve['median']:.1f} mo)")
    for median, label in spec.get("observed_medians", []):
        ax.axvline(median, color="grey", lw=0.8, ls=":")
        ax.text(median, 1.01, label, fontsize=7, rotation=90, va="bottom", ha="center", color="grey")
    ax.axhline(0.5, color="k", lw=0.6, ls="--")
    ax.set_xlabel("months")
    ax.set_ylabel(spec.get("ylabel", "progression-free"))
    ax.set_ylim(0, 1.05)
    ax.set_title(spec["title"], fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    return fig


def _growth(spec):
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for curve in spec["curves"]:
        line, = ax.semilogy(curve["days"], curve["volume"], label=curve["label"])
        if curve.get("start_day") is not None:
            ax.axvline(curve["start_day"], color=line.get_color(), lw=0.8, ls=":")
    ax.set_xlabel("days after inoculation")
    ax.set_ylabel(spec.get("ylabel", "tumour volume / inoculum"))
    ax.set_title(spec["title"], fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3, which="both")
    return fig
