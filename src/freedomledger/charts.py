"""Charts of the statistics as PNG and SVG (matplotlib, no display needed).

Figures are built with `matplotlib.figure.Figure` directly rather than pyplot: no global
state, no GUI backend, safe to call from a web worker; saving goes through the Agg/SVG
canvases. Every chart says what it counts and as of when, because charts travel without
the text around them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never try to open a window, also when pyplot is imported elsewhere

from matplotlib import dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from freedomledger.stats import FlowRow, HeldPoint, ReleaseRow  # noqa: E402
from freedomledger.stats.deals import RELIEF, DealRow  # noqa: E402
from freedomledger.stats.flows import RELEASE_KINDS  # noqa: E402

# Colour-blind-safe (Okabe-Ito), so the band, the kinds and relief vs designation stay
# distinguishable in print and for readers with colour vision deficiency.
INK = "#222222"
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
GREY = "#999999"
KIND_COLOURS = {
    "released": SKY, "pardoned": GREEN, "deported": ORANGE, "exchanged": PURPLE,
    "sentence_served": BLUE, "died_in_custody": INK,
}
STYLE: Any = {
    "font.size": 9, "axes.titlesize": 11, "axes.titleweight": "bold", "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "svg.hashsalt": "freedomledger",
    "svg.fonttype": "path",
}


def _figure(height: float = 4.0) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(9, height), dpi=110, layout="constrained")


def _note(ax: Any, text: str) -> None:
    """Provenance under the bottom axis (as its label, so the layout leaves room for it)."""
    ax.set_xlabel(text, fontsize=7, color=GREY, loc="left")


Window = tuple[dt.date, dt.date] | None


def held_chart(series: Sequence[HeldPoint], *, title: str = "Political prisoners held", note: str = "",
               window: Window = None) -> Figure:
    """The point estimate as a line, the certainly/possibly held range as a shaded band."""
    with matplotlib.rc_context(STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        days = mdates.date2num([p.day for p in series])
        ax.fill_between(days, [p.lower for p in series], [p.upper for p in series], color=SKY, alpha=0.35,
                        linewidth=0, label="certainly held … possibly held (imprecise dates)")
        ax.plot(days, [p.point for p in series], color=BLUE, linewidth=1.8, label="held (point estimate)")
        if series:
            last = series[-1]
            band = f"\n({last.lower:,}–{last.upper:,})" if last.lower != last.upper else ""
            ax.annotate(f"{last.point:,}{band}", (mdates.date2num(last.day), last.point),
                        xytext=(6, 0), textcoords="offset points", va="center", fontsize=8, color=BLUE)
        ax.set_title(title, loc="left")
        ax.set_ylabel("persons held at period end")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", frameon=False, fontsize=8)
        _date_axis(ax, window)
        _note(ax, note)
    return fig


def flows_chart(rows: Sequence[FlowRow], *, title: str = "Into and out of custody", note: str = "",
                window: Window = None) -> Figure:
    """New detentions up, releases down (stacked by how people left), net change as a line."""
    with matplotlib.rc_context(STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        starts = mdates.date2num([r.start for r in rows])
        widths = [max(1, (r.end - r.start).days + 1) * 0.8 for r in rows]
        ax.bar(starts, [r.new for r in rows], width=widths, align="edge", color=VERMILION,
               label="newly held")
        bottom = [0] * len(rows)
        for kind in RELEASE_KINDS:
            values = [-r.by_kind.get(kind, 0) for r in rows]
            if not any(values):
                continue
            ax.bar(starts, values, width=widths, bottom=bottom, align="edge", color=KIND_COLOURS.get(kind, GREY),
                   label=kind.replace("_", " "))
            bottom = [b + v for b, v in zip(bottom, values)]
        mids = mdates.date2num([r.start + (r.end - r.start) / 2 for r in rows])
        ax.plot(mids, [r.net for r in rows], color=INK, linewidth=1.2, marker="o", markersize=2.5,
                label="net change")
        ax.axhline(0, color=INK, linewidth=0.6)
        ax.set_title(title, loc="left")
        ax.set_ylabel("persons per period (released below zero)")
        ax.legend(loc="upper right", frameon=False, fontsize=7, ncols=4)
        _date_axis(ax, window)
        _note(ax, note)
    return fig


def deals_timeline(
    releases: Sequence[ReleaseRow], actions: Iterable[dict[str, Any]], deals: Sequence[DealRow] = (),
    *, title: str = "Releases and sanctions actions", note: str = "", window: Window = None,
) -> Figure:
    """Releases (height = number freed) above, sanctions actions by authority below, one time axis.

    Dashed lines mark the deals; actions dated only to a range are drawn as a bar over it.
    """
    actions = list(actions)
    authorities = sorted({a["authority"] for a in actions})
    with matplotlib.rc_context(STYLE):
        fig = _figure(height=5.2)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, max(1.2, 0.5 * len(authorities) + 0.6)])
        in_deal = [r for r in releases if r.deals]
        alone = [r for r in releases if not r.deals]
        for group, colour, label in ((in_deal, VERMILION, "release in a deal"), (alone, GREY, "other release")):
            if not group:
                continue
            top.vlines([r.date_start for r in group], 0, [r.count for r in group], color=colour, linewidth=1.6)
            top.scatter([r.date_start for r in group], [r.count for r in group], color=colour, s=18, zorder=3,
                        label=label)
        for r in sorted(releases, key=lambda r: -r.count)[:8]:
            top.annotate(f"{r.count}", (r.date_start, r.count), xytext=(0, 4), textcoords="offset points",
                         ha="center", fontsize=7)
        top.set_ylabel("persons freed")
        top.set_ylim(bottom=0)
        top.set_title(title, loc="left")
        if releases:
            top.legend(loc="upper left", frameon=False, fontsize=7)
        row_of = {a: i for i, a in enumerate(authorities)}
        seen: set[str] = set()
        for a in actions:
            relief = a["action"] in RELIEF
            kind = "relief (delisting, easing, licence)" if relief else (
                "designation" if a["action"] == "designated" else "amendment")
            colour = GREEN if relief else (VERMILION if a["action"] == "designated" else GREY)
            marker = "v" if relief else ("^" if a["action"] == "designated" else "o")
            y = row_of[a["authority"]]
            if a["date_end"] > a["date_start"]:
                bottom.hlines(y, a["date_start"], a["date_end"], color=colour, linewidth=3, alpha=0.35)
            bottom.scatter([a["date_start"]], [y], marker=marker, color=colour, edgecolor=INK if a["linked"] else "none",
                           linewidth=0.8, s=16 + 10 * min(a["count"], 12), zorder=3,
                           label=None if kind in seen else kind)
            seen.add(kind)
        bottom.set_yticks(range(len(authorities)), authorities)
        bottom.set_ylim(-0.7, max(len(authorities), 1) - 0.3)
        bottom.set_ylabel("authority")
        if actions:
            bottom.legend(loc="upper left", frameon=False, fontsize=7, ncols=3)
        for deal in deals:
            if deal.date:
                day = dt.date.fromisoformat(deal.date[:10]) if len(deal.date) >= 10 else None
                if day:
                    for ax in (top, bottom):
                        ax.axvline(day, color=VERMILION, linewidth=0.6, linestyle="--", alpha=0.5)
        if not releases and not actions:
            top.text(0.5, 0.5, "no release events or sanctions actions in this window", transform=top.transAxes,
                     ha="center", va="center", color=GREY)
            top.set_yticks([])
        _date_axis(bottom, window)
        _note(bottom, note + ("  Outlined markers: actions a deal names." if actions else ""))
    return fig


def _date_axis(ax: Any, window: Window = None) -> None:
    """Dates on x; with a window, every chart of one report spans the same dates."""
    if window is not None:
        ax.set_xlim(window[0], window[1])
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def svg_document(fig: Figure) -> str:
    """The figure as a standalone SVG file's text."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def save(fig: Figure, stem: Path, *, svg: str | None = None) -> tuple[Path, Path]:
    """Write STEM.png and STEM.svg (from `svg` when already rendered); returns both paths."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    png_path, svg_path = stem.with_suffix(".png"), stem.with_suffix(".svg")
    fig.savefig(png_path, format="png", dpi=150)
    svg_path.write_text(svg if svg is not None else svg_document(fig), encoding="utf-8")
    return png_path, svg_path


def svg_text(fig: Figure, *, title: str | None = None, document: str | None = None) -> str:
    """The figure as an <svg> element to inline in HTML (no XML prolog, optional <title>)."""
    text = document if document is not None else svg_document(fig)
    text = text[text.index("<svg"):]
    # Inline SVG must scale with the page: drop the fixed size, keep the viewBox.
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%"', text, count=1)
    if title:
        from html import escape

        text = text.replace(">", f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>', 1)
    return text
