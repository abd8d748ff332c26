"""Metadata a person can read in the Dagster UI: small markdown tables of scraped text, escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orchestration.warehouse import connection

CELL_CHARS = 120


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if len(text) > CELL_CHARS:
        text = text[: CELL_CHARS - 1] + "…"
    # The UI renders markdown as HTML: scraped text is escaped, and '|' would split the cell.
    return html.escape(text).replace("|", "\\|")


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    if not rows:
        return "_none_"
    lines = [
        "| " + " | ".join(_cell(c) for c in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def query_rows(
    warehouse: Path, sql: str, params: Sequence[Any] | None = None
) -> tuple[list[str], list[tuple]]:
    with connection.connect(warehouse, read_only=True) as con:
        cursor = con.execute(sql, params or [])
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()


def table_row_count(warehouse: Path, schema: str, table: str) -> int | None:
    """Row count, or None when the table does not exist (yet)."""
    with connection.connect(warehouse, read_only=True) as con:
        if not connection.table_exists(con, schema, table):
            return None
        # Identifiers come from the code's own registry, never from scraped text.
        sql = f'SELECT count(*) FROM "{schema}"."{table}"'  # noqa: S608
        return con.execute(sql).fetchall()[0][0]
