"""The saved returns files: a real row reads and validates; a broken one names row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from orchestration.sources.returns.read import read_returns_file
from orchestration.sources.returns.validate import validate_rows

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "returns"


def test_a_real_return_row_reads_and_validates_without_problems():
    rows, problems = read_returns_file(FIXTURES / "norfolk_2022.csv")
    assert problems == []
    [row] = rows
    assert row.values["organisation_name"] == "Norfolk"
    assert row.values["reports_received"] == "14"
    assert validate_rows("norfolk_2022.csv", rows, date(2026, 11, 29)) == []


def test_a_broken_return_names_the_file_row_and_columns():
    rows, problems = read_returns_file(FIXTURES / "norfolk_2022_broken.csv")
    problems += validate_rows("norfolk_2022_broken.csv", rows, date(2026, 11, 29))
    text = [str(problem) for problem in problems]
    assert any(
        t.startswith("norfolk_2022_broken.csv, row 2, column reports_received") for t in text
    )
    assert any("period_end" in t or "period_start" in t for t in text), text
