"""A schematic map of the current coroner areas as inline SVG, shaded by a count per area."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from orchestration.analyst.output import noun

SHAPES_FILE = Path(__file__).resolve().parent / "data" / "coroner_area_shapes.json"

_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGUMENT_COUNTS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}
# Sequential palette (light to dark); 0 reports stays pale grey so "none" reads as none.
PALETTE = ("#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
EMPTY_FILL = "#f2f2f2"


@dataclass(frozen=True)
class AreaShape:
    shape_id: str
    area: str
    path: str


@cache
def load_shapes(path: Path = SHAPES_FILE) -> tuple[AreaShape, ...]:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(AreaShape(str(row[0]), row[1], row[2]) for row in rows)


def _arc_tokens(text: str) -> list[str]:
    """Tokens of a path, splitting packed arc flags ("a5 5 0 01.5.5" has flags 0 and 1)."""
    tokens: list[str] = []
    position = 0
    command = ""
    arguments_seen = 0
    while position < len(text):
        if text[position] in " ,\t\n\r":
            position += 1
            continue
        if command.lower() == "a" and arguments_seen % 7 in (3, 4) and text[position] in "01":
            tokens.append(text[position])
            position += 1
            arguments_seen += 1
            continue
        match = _TOKEN.match(text, position)
        if match is None:
            snippet = text[position : position + 20]
            raise ValueError(f"unreadable path data at {position}: {snippet!r}")
        token = match.group()
        tokens.append(token)
        position = match.end()
        if token.isalpha():
            command, arguments_seen = token, 0
        else:
            arguments_seen += 1
    return tokens


def path_bounds(path: str) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) over the path's end and control points."""
    xs: list[float] = []
    ys: list[float] = []
    x = y = start_x = start_y = 0.0
    tokens = _arc_tokens(path)
    index = 0
    command = ""
    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
            if command in "zZ":
                x, y = start_x, start_y
                continue
        lower = command.lower()
        count = _ARGUMENT_COUNTS[lower]
        values = [float(v) for v in tokens[index : index + count]]
        index += count
        relative = command.islower()
        if lower == "h":
            x = x + values[0] if relative else values[0]
        elif lower == "v":
            y = y + values[0] if relative else values[0]
        elif lower == "a":
            x, y = (x + values[5], y + values[6]) if relative else (values[5], values[6])
        else:
            pairs = list(zip(values[0::2], values[1::2], strict=True))
            for px, py in pairs[:-1]:
                xs.append(x + px if relative else px)
                ys.append(y + py if relative else py)
            end_x, end_y = pairs[-1]
            x, y = (x + end_x, y + end_y) if relative else (end_x, end_y)
        xs.append(x)
        ys.append(y)
        if lower == "m":
            start_x, start_y = x, y
            command = "l" if relative else "L"  # further pairs after a move are lines
    return min(xs), min(ys), max(xs), max(ys)


def view_box(shapes: tuple[AreaShape, ...], margin: float = 6.0) -> str:
    bounds = [path_bounds(shape.path) for shape in shapes]
    min_x = min(b[0] for b in bounds) - margin
    min_y = min(b[1] for b in bounds) - margin
    width = max(b[2] for b in bounds) + margin - min_x
    height = max(b[3] for b in bounds) + margin - min_y
    return f"{min_x:.1f} {min_y:.1f} {width:.1f} {height:.1f}"


def fill_for(count: int, maximum: int) -> str:
    if count <= 0 or maximum <= 0:
        return EMPTY_FILL
    # Square-root scale: a few large areas would otherwise wash every other area out.
    step = math.sqrt(count / maximum) * (len(PALETTE) - 1)
    return PALETTE[min(len(PALETTE) - 1, round(step))]


def render_map(
    counts_by_area: dict[str, int], label: str = "reports", singular: str = "report"
) -> str:
    """Inline SVG; each area carries a <title> with its name and count (a hover tooltip): the
    plural ``label`` for every count but 1, which takes ``singular``."""
    shapes = load_shapes()
    maximum = max(counts_by_area.values(), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box(shapes)}" '
        f'class="area-map" role="img" aria-label="Schematic map of coroner areas, {escape(label)}">'
    ]
    for shape in shapes:
        count = counts_by_area.get(shape.area, 0)
        title = f"{shape.area}: {count} {noun(count, singular, label)}"
        parts.append(
            f'<path d="{escape(shape.path)}" fill="{fill_for(count, maximum)}" '
            f'data-area="{escape(shape.area)}" data-count="{count}">'
            f"<title>{escape(title)}</title></path>"
        )
    parts.append("</svg>")
    return "".join(parts)


def legend_steps(maximum: int) -> list[tuple[str, str]]:
    """(fill, label) pairs for the legend."""
    if maximum <= 0:
        return [(EMPTY_FILL, "0")]
    steps = [(EMPTY_FILL, "0")]
    for index, colour in enumerate(PALETTE):
        upper = round(maximum * ((index + 0.5) / (len(PALETTE) - 1)) ** 2)
        steps.append((colour, f"up to {min(max(upper, 1), maximum)}"))
    return steps
