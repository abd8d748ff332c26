"""Charts as inline SVG strings, drawn with matplotlib's object API (no pyplot, no GUI backend)."""

from __future__ import annotations

import io
import re
import textwrap

import matplotlib
from matplotlib.figure import Figure

RESPONDED_COLOUR = "#2171b5"
OVERDUE_COLOUR = "#d94801"
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


def response_chart(trend: list[dict]) -> str:
    """Per year: report x recipient pairs with a published response, and overdue ones."""
    figure = Figure(figsize=(8, 3.2))
    axes = figure.add_subplot()
    positions = range(len(trend))
    responded = [row["responses_published"] for row in trend]
    overdue = [row["overdue"] for row in trend]
    axes.bar(positions, responded, color=RESPONDED_COLOUR, label="response published")
    axes.bar(positions, overdue, bottom=responded, color=OVERDUE_COLOUR, label="overdue")
    labels = [year_label(row["report_year"], row["is_partial"]) for row in trend]
    axes.set_xticks(list(positions), labels, fontsize=8)
    axes.set_ylabel("report × recipient")
    axes.set_title("Responses published and overdue, by report year", loc="left", fontsize=11)
    axes.legend(frameon=False, fontsize=8)
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
