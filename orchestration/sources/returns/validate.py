"""Validate returns rows before anything is written: every problem, named by file, spreadsheet
row and column; an empty list means the file can be loaded.

- A refusal or "not held" answer is an outcome with no count: a number in ``reports_received``
  for such a row is an error, because a refusal must never be counted as zero reports.
- Names are not resolved here: this is a raw load, and it reads no mart and no dbt macro, so it
  works on an empty warehouse before any dbt build. Names are loaded as written; dbt resolves
  them with the warehouse's own name-key macros (``int_returns_resolved``) and holds a file
  version with a name that resolves to nothing out of the reconciliation as a whole
  (``int_returns_file_versions``, listed in ``main.audit_returns_unresolved``).
- Duplicates are found by the name as written (ignoring case; spaces were already collapsed by
  the reader), period, counting basis and source reference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from orchestration.sources.returns import limits as returns_limits
from orchestration.sources.returns.limits import Limits
from orchestration.sources.returns.read import (
    COUNT_COLUMNS,
    DATE_COLUMNS,
    REQUIRED_COLUMNS,
    Problem,
    ReturnsRow,
    _parse_date,
    capped,
    outcome_category,
    outcome_exemption,
)

OUTCOMES_WITH_COUNT = ("provided", "partial")
# Regulation 28 reports exist from 25 July 2013; a return period may start earlier (an FOI asks
# for "since 2013"), but not before the Coroners and Justice Act 2009 created the duty.
EARLIEST_PERIOD_START = date(2009, 1, 1)
# A count: ASCII digits, or digits grouped in thousands by commas (1,200); a sign is read so that
# a negative count gets its own message. Not \d: Python's int() reads other scripts' digits
# ("٣"), DuckDB's cast to INTEGER does not, and the dbt build would fail on them.
_WHOLE_NUMBER = re.compile(r"[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)")


def _count_problem(text: str | None, limits: Limits) -> str | None:
    """Why a count is refused: not a whole number (digits, optionally grouped in thousands by
    commas), negative, or above ``limits.max_count``. A count that passes fits the INTEGER
    columns of ``stg_returns__returns`` (cast after removing the commas), so it cannot fail dbt.
    """
    if text is None:
        return None
    if not _WHOLE_NUMBER.fullmatch(text):
        return f"{text[:40]!r} is not a whole number"
    count = int(text.replace(",", ""))
    if count < 0:
        return f"{text!r} is negative; a count of reports cannot be below zero"
    if count > limits.max_count:
        return (
            f"{text!r} is not a plausible count of reports: the limit is {limits.max_count:,}"
            " per row (more than one body could receive in any period); check the number"
        )
    return None


def validate_rows(
    file_name: str,
    rows: Sequence[ReturnsRow],
    today: date,
    limits: Limits | None = None,
) -> list[Problem]:
    """Every problem in the rows; an empty list means the file can be loaded. Names are not
    resolved (dbt does that), so a row's organisation name only has to be present."""
    limits = limits or returns_limits.LIMITS
    problems: list[Problem] = []

    def problem(row: ReturnsRow, column: str | None, message: str) -> None:
        problems.append(Problem(file_name, row.row_number, column, message))

    if not rows:
        problems.append(Problem(file_name, None, None, "the file holds no returns rows"))
    first_row_by_key: dict[tuple, int] = {}
    for row in rows:
        v = row.values
        for column in REQUIRED_COLUMNS:
            if column != "reports_received" and column != "source_url" and not v.get(column):
                problem(row, column, "required value is empty")
        for column in COUNT_COLUMNS:
            message = _count_problem(v.get(column), limits)
            if message:
                problem(row, column, message)
        category = outcome_category(v.get("outcome"))
        if v.get("outcome") and category is None:
            problem(
                row,
                "outcome",
                f"{v['outcome']!r} is not an outcome: start it with provided, partial,"
                " 'refused: section NN (reason)' or 'not held'",
            )
        if category == "refused" and not outcome_exemption(v.get("outcome")):
            problem(row, "outcome", "a refusal must name its exemption, e.g. 'refused: section 21'")
        if category in OUTCOMES_WITH_COUNT and not v.get("reports_received"):
            problem(row, "reports_received", f"outcome {category} needs a count")
        if category in ("refused", "not_held") and v.get("reports_received"):
            problem(
                row,
                "reports_received",
                f"outcome {category} must leave the count empty: a refusal is an outcome,"
                " never a zero count",
            )
        dates = {}
        for column in DATE_COLUMNS:
            text = v.get(column)
            if not text:
                continue
            try:
                parsed = _parse_date(text)
            except ValueError:
                parsed = None
                problem(row, column, f"{text!r} is not a real date")
                continue
            if parsed is None:
                problem(row, column, f"{text!r} is not a date in the form YYYY-MM-DD")
            dates[column] = parsed
        start, end = dates.get("period_start"), dates.get("period_end")
        if start and end and end < start:
            problem(row, "period_end", f"impossible period: ends {end} before it starts {start}")
        if start and start < EARLIEST_PERIOD_START:
            problem(row, "period_start", f"impossible period: starts {start}, before 2009")
        if end and end > today:
            problem(row, "period_end", f"impossible period: ends {end}, after today ({today})")
        url = v.get("source_url")
        if url and not re.match(r"https?://\S+$", url):
            problem(row, "source_url", f"{url!r} is not an http(s) address")
        if not url and not v.get("note"):
            problem(row, "source_url", "give the source address, or say in note why there is none")
        key = (
            _duplicate_name(v.get("organisation_name")),
            v.get("period_start"),
            v.get("period_end"),
            (v.get("counting_basis") or "").lower(),
            (v.get("source_reference") or "").lower(),
        )
        if key in first_row_by_key:
            problem(
                row,
                None,
                f"duplicate of row {first_row_by_key[key]} (same organisation, period, counting"
                " basis and source reference)",
            )
        else:
            first_row_by_key[key] = row.row_number
    return capped(file_name, problems, limits.max_problems)


def _duplicate_name(name: str | None) -> str | None:
    return name.lower() if name else None
