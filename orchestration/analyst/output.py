"""What the analyst commands print: one table printer and one way to say a count with its noun.

A table sent to a terminal is sized to it (long cells cut with an ellipsis, a row never wrapped);
a table sent to a pipe or a file has every row whole on one line, whatever its width, so `grep`,
`less -S` and `cut` see one row per line.
"""

from __future__ import annotations

import decimal
import os
import shutil
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO

from rich.cells import cell_len

ELLIPSIS = "…"
GAP = "  "
# Nouns whose plural is not the noun plus "s".
IRREGULAR_PLURALS = {"body": "bodies", "category": "categories", "authority": "authorities"}


def noun(count: int | float, singular: str, plural_form: str | None = None) -> str:
    """The noun that goes with a count: "organisation" for 1, "organisations" otherwise."""
    if count == 1:
        return singular
    return plural_form or IRREGULAR_PLURALS.get(singular) or f"{singular}s"


def plural(count: int | float | None, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun: "1 organisation", "2 organisations", "1,204 reports"."""
    count = count or 0
    shown = f"{count:,}" if isinstance(count, int) else f"{count:,.1f}"
    return f"{shown} {noun(count, singular, plural_form)}"


def cell_text(value: Any) -> str:
    """A value as one line of text: NULL blank, control characters (newlines, tabs, terminal
    escapes from scraped text) each one space."""
    if value is None:
        return ""
    text = str(value)
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def _crop(text: str, width: int) -> str:
    """Text cut to ``width`` terminal cells, ending with an ellipsis when cut."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    kept, used = [], 0
    for ch in text:
        size = cell_len(ch)
        if used + size > width - 1:
            break
        kept.append(ch)
        used += size
    return "".join(kept) + ELLIPSIS


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - cell_len(text))
    return space + text if right else text + space


def fit_widths(widths: Sequence[int], total: int) -> list[int]:
    """Column widths that fit ``total`` cells: the widest columns give way first (a water level
    over the columns), no column narrower than 1."""
    widths = list(widths)
    available = total - len(GAP) * (len(widths) - 1)
    if sum(widths) <= available:
        return widths
    low, high = 1, max(widths)
    while low < high:  # the highest level at which the columns still fit
        level = (low + high + 1) // 2
        if sum(min(w, level) for w in widths) <= available:
            low = level
        else:
            high = level - 1
    fitted = [min(w, low) for w in widths]
    spare = available - sum(fitted)
    for index, width in enumerate(widths):  # hand what is left to the cut columns, in order
        if spare <= 0:
            break
        if width > fitted[index]:
            extra = min(spare, width - fitted[index])
            fitted[index] += extra
            spare -= extra
    return fitted


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def table_lines(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None = None
) -> list[str]:
    """The table as lines: header, rule, one line per row; numbers right-aligned. ``width`` (a
    terminal's) cuts long cells to fit it; None keeps every row whole."""
    header = [cell_text(column) for column in columns]
    body = [[cell_text(value) for value in row] for row in rows]
    right = [
        bool(rows) and all(_is_number(r[i]) or r[i] is None for r in rows)
        for i in range(len(columns))
    ]
    widths = [max([cell_len(h)] + [cell_len(r[i]) for r in body]) for i, h in enumerate(header)]
    if width is not None:
        widths = fit_widths(widths, width)

    def line(cells: list[str]) -> str:
        text = GAP.join(
            _pad(_crop(cell, w), w, align)
            for cell, w, align in zip(cells, widths, right, strict=True)
        ).rstrip()
        return _crop(text, width) if width is not None else text

    return [line(header), line(["─" * w for w in widths])] + [line(cells) for cells in body]


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    max_rows: int | None = None,
    noun_singular: str = "row",
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> None:
    """Print a table to ``out`` (stdout): sized to the terminal when it is one, rows whole on
    their own lines when it is a pipe or a file. The count ("3 rows", "0 rows") goes to ``err``
    (stderr), so piped output is only the table."""
    out = out or sys.stdout
    err = err or sys.stderr
    shown = list(rows[:max_rows] if max_rows is not None else rows)
    width = shutil.get_terminal_size().columns if _is_terminal(out) else None
    if columns:
        out.write("\n".join(table_lines(columns, shown, width)) + "\n")
    more = (
        f" (first {len(shown):,} shown; --max-rows or --format csv for all)"
        if len(shown) < len(rows)
        else ""
    )
    err.write(f"{plural(len(rows), noun_singular)}{more}\n")


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def silence_closed_stdout() -> None:
    """stdout's reader is gone (``| head``): point stdout at devnull so the flush at exit cannot
    fail too, and the command ends quietly."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
