"""Charts as inline SVG strings, drawn with matplotlib's object API (no pyplot, no GUI backend)."""

from __future__ import annotations

import io
import re
import textwrap

import matplotlib
from matplotlib.figure import Figure

RESPONDED_COLOUR = "#2171b5"
OVERDUE_COLOUR = "#d94801"
POSSIBLY_ANSWERED_COLOUR = "#9ecae1"
UNKNOWN_COLOUR = "#d9d9d9"
PENDING_COLOUR = "#fdd49e"
REPORTS_COLOUR = "#4a6f8a"
PARTIAL_COLOUR = "#a9bfd0"


def _svg(figure: Figure, chart_id: str) -> str:
    buffer = io.StringIO()
    # Text stays text (small, searchable); the salt gives each chart its own element ids, so
    # several charts inline in one page never share a clip-path id.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id}):
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    start = text.index("<svg")
    svg = text[start:]
    svg = re.sub(r'<svg([^>]*?)width="[^"]*"([^>]*?)height="[^"]*"', r"<svg\1\2", svg, count=1)
    return svg.replace("<svg", f'<svg class="chart" id="{chart_id}" role="img"', 1)


def _style(axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)


def year_label(year: int, is_partial: bool) -> str:
    return f"{year}\n(partial)" if is_partial else str(year)


def trend_chart(trend: list[dict]) -> str:
    """Reports per year; partial years drawn lighter and labelled."""
    figure = Figure(figsize=(8, 3.2))
    axes = figure.add_subplot()
    labels = [year_label(row["report_year"], row["is_partial"]) for row in trend]
    values = [row["reports_sent"] for row in trend]
    colours = [PARTIAL_COLOUR if row["is_partial"] else REPORTS_COLOUR for row in trend]
    bars = axes.bar(range(len(trend)), values, color=colours)
    axes.bar_label(bars, fontsize=8)
    axes.set_xticks(range(len(trend)), labels, fontsize=8)
    axes.set_ylabel("reports")
    axes.set_title("Reports per year (report date)", loc="left", fontsize=11)
    _style(axes)
    return _svg(figure, "chart-trend")


# Bottom to top: what is known answered, what may be, what is overdue, what the capture cannot
# tell, and what is not yet due. (label, trend column, colour, hatch)
STATUS_STACK = (
    ("responded", "responses_published", RESPONDED_COLOUR, None),
    ("possibly answered", "possibly_answered", POSSIBLY_ANSWERED_COLOUR, None),
    ("overdue", "overdue", OVERDUE_COLOUR, None),
    ("status unknown", "status_unknown", UNKNOWN_COLOUR, "///"),
    ("pending", "pending", PENDING_COLOUR, None),
)


def status_shares(row: dict) -> str:
    """The bar's label: the overdue share above the unknown share ("12%\n63%")."""
    total = row["report_recipient_pairs"]
    if not total:
        return ""
    overdue = 100 * row["overdue"] / total
    unknown = 100 * row["status_unknown"] / total
    return f"{overdue:.0f}%\n{unknown:.0f}%"


def response_chart(trend: list[dict]) -> str:
    """Per year: report x organisation pairs stacked by status (responded, possibly answered,
    overdue, status unknown, pending), each bar labelled with its overdue and unknown shares."""
    figure = Figure(figsize=(8, 3.6))
    axes = figure.add_subplot()
    positions = list(range(len(trend)))
    bottom = [0] * len(trend)
    for label, column, colour, hatch in STATUS_STACK:
        values = [row[column] for row in trend]
        axes.bar(
            positions,
            values,
            bottom=bottom,
            color=colour,
            hatch=hatch,
            edgecolor="#ffffff" if hatch is None else "#707070",
            linewidth=0.4 if hatch is None else 0,
            label=label,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for position, height, row in zip(positions, bottom, trend, strict=True):
        axes.annotate(
            status_shares(row),
            (position, height),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=6,
            color="#444444",
        )
    labels = [year_label(row["report_year"], row["is_partial"]) for row in trend]
    axes.set_xticks(positions, labels, fontsize=8)
    axes.set_ylabel("report × organisation")
    axes.set_title(
        "Responses by status and report year (labels: % overdue over % status unknown)",
        loc="left",
        fontsize=11,
    )
    # Head room for the share labels above the tallest bar.
    axes.set_ylim(0, max(max(bottom, default=0) * 1.22, 1))
    axes.legend(frameon=False, fontsize=8, ncols=5, loc="upper left", bbox_to_anchor=(0, -0.18))
    _style(axes)
    return _svg(figure, "chart-responses")


def category_chart(categories: list[dict], limit: int = 12) -> str:
    rows = categories[:limit][::-1]
    figure = Figure(figsize=(8, 0.35 * max(len(rows), 3) + 0.8))
    axes = figure.add_subplot()
    labels = [textwrap.shorten(row["category"], 60, placeholder="…") for row in rows]
    bars = axes.barh(range(len(rows)), [row["reports"] for row in rows], color=REPORTS_COLOUR)
    axes.bar_label(bars, fontsize=8, padding=2)
    axes.set_yticks(range(len(rows)), labels, fontsize=8)
    axes.set_xlabel("reports")
    axes.set_title("Report categories (judiciary.uk types)", loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "chart-categories")


def theme_chart(themes: list[dict]) -> str:
    """Reports per theme; experimental themes (precision below 0.8 on the labelled sample) in a
    paler, hatched bar and labelled "(experimental)", so a reader never takes them as measured."""
    rows = themes[::-1]
    figure = Figure(figsize=(8, 0.35 * max(len(rows), 3) + 0.8))
    axes = figure.add_subplot()
    experimental = [row["status"] == "experimental" for row in rows]
    labels = [
        row["theme"] + (" (experimental)" if is_experimental else "")
        for row, is_experimental in zip(rows, experimental, strict=True)
    ]
    bars = axes.barh(
        range(len(rows)),
        [row["reports"] for row in rows],
        color=[PARTIAL_COLOUR if e else REPORTS_COLOUR for e in experimental],
        hatch=None,
    )
    for bar, is_experimental in zip(bars, experimental, strict=True):
        if is_experimental:
            bar.set_hatch("///")
            bar.set_edgecolor(REPORTS_COLOUR)
    axes.bar_label(bars, fontsize=8, padding=2)
    axes.set_yticks(range(len(rows)), labels, fontsize=8)
    axes.set_xlabel("reports")
    axes.set_title("Themes found in the report text", loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "chart-themes")
