"""How many reports had words to search: said wherever search results or theme figures appear.

Unknown is not zero: a report whose text was never read cannot show a theme or match a search,
so every figure built on the report text carries the share of reports it could see.
"""

from __future__ import annotations

from dataclasses import dataclass

COVERAGE_SQL = """
    SELECT count(*) FILTER (WHERE has_report_text), count(*)
    FROM fct_reports"""


@dataclass(frozen=True)
class TextCoverage:
    with_text: int
    total: int

    def sentence(self) -> str:
        """'1,638 of 6,147 reports had text to search (27%)'."""
        share = f" ({self.with_text / self.total:.0%})" if self.total else ""
        return f"{self.with_text:,} of {self.total:,} reports had text to search{share}"


def text_coverage(con) -> TextCoverage:
    """Counted from the warehouse ``con`` reads (a DuckDB connection), never hard-coded."""
    with_text, total = con.execute(COVERAGE_SQL).fetchone()
    return TextCoverage(int(with_text or 0), int(total or 0))
