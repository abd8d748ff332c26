"""The report's Themes section (issue 16): reports per theme for the organisations in scope
(question 9, q9_themes.sql) and, per theme, the newest reports in scope with the sentence that
gave the theme (q9_theme_concerns.sql). Every figure says how many reports had text to search:
counted in scope by the question, and in the whole warehouse by orchestration/search/coverage.py.
"""

from __future__ import annotations

import duckdb

from orchestration.analyst.names import mask_names
from orchestration.analyst.questions import apply_scope, run_question
from orchestration.analyst.scope import ReportScope
from orchestration.analyst.warehouse import table_exists
from orchestration.search.coverage import TextCoverage, text_coverage

THEMES_TABLES = ("bridge_report_themes", "dim_themes")
CONCERNS_PER_THEME = 5


def collect_themes(
    connection: duckdb.DuckDBPyConnection, scope: ReportScope, with_names: bool
) -> dict | None:
    """None (no section) while the warehouse has no theme marts."""
    if not all(table_exists(connection, "main", table) for table in THEMES_TABLES):
        return None
    apply_scope(connection, scope.variables)
    themes = run_question(connection, "q9_themes")
    concerns = run_question(connection, "q9_theme_concerns")
    top: dict[str, list[dict]] = {}
    for row in concerns:
        if row["theme_rank"] <= CONCERNS_PER_THEME:
            top.setdefault(row["theme_id"], []).append(row)
    if not with_names:
        _mask_names(connection, [row for rows in top.values() for row in rows])
    first = themes[0] if themes else {"reports_with_text": 0, "reports_in_scope": 0}
    return {
        "themes": themes,
        "concerns": top,
        "in_scope": TextCoverage(int(first["reports_with_text"]), int(first["reports_in_scope"])),
        "warehouse": text_coverage(connection),
        "rules_versions": sorted({row["rules_version"] for row in themes} - {None}),
        "experimental": [row["theme"] for row in themes if row["status"] == "experimental"],
    }


def theme_figures(themes: dict | None) -> dict | None:
    """The figures for the report's JSON (no report words: they stay in the HTML)."""
    if themes is None:
        return None
    return {
        "themes": [
            {k: row[k] for k in ("theme_id", "status", "reports", "rules_version")}
            for row in themes["themes"]
        ],
        "reports_with_text": themes["in_scope"].with_text,
        "reports_in_scope": themes["in_scope"].total,
        "concerns": {
            theme_id: [row["report_url"] for row in rows]
            for theme_id, rows in themes["concerns"].items()
        },
    }


def _mask_names(connection: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Evidence sentences are the report's words and can name the deceased: without
    --with-names every word of their recorded names is replaced by [name]."""
    urls = sorted({row["report_url"] for row in rows})
    if not urls:
        return
    names: dict[str, list[str]] = {}
    for report_url, name in connection.execute(
        "SELECT report_url, deceased_name FROM main.dim_deceased"
        " WHERE list_contains(?, report_url) AND deceased_name IS NOT NULL",
        [urls],
    ).fetchall():
        names.setdefault(report_url, []).append(name)
    for row in rows:
        row["evidence_text"] = mask_names(
            row["evidence_text"] or "", names.get(row["report_url"], [])
        )
