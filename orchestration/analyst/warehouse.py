"""Open the warehouse read-only, with errors that say which file and how to build it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.warehouse.connection import table_exists

BUILD_HINT = (
    "Build it with `make run`, "
    "or by hand: `pfdw collect`, then "
    "`cd dbt_project && PFDW_WAREHOUSE_PATH=<path> ../.venv/bin/dbt build --profiles-dir .`. "
    "Point PFDW_WAREHOUSE_PATH (or --warehouse) at an existing file to use another copy."
)

# Columns that carry the names of the deceased (or whole page or report text that includes them:
# fct_report_sections.section_text, the report's circumstances of the death among them).
NAME_BEARING_COLUMNS = frozenset(
    {
        "deceased_name",
        "deceased_name_raw",
        "page_title",
        "report_sections",
        "item",
        "section_text",
        "raw_text",
    }
)


class WarehouseError(Exception):
    """A problem with the warehouse file or a query, explained for the person at the terminal."""


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not path.exists():
        raise WarehouseError(f"No warehouse at {path.resolve()}. {BUILD_HINT}")
    if path.is_dir():
        raise WarehouseError(f"{path.resolve()} is a directory; expected a DuckDB file.")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        raise WarehouseError(
            f"Could not open {path.resolve()} read-only: {error}. If the pipeline is writing to "
            "it right now, wait for the run to finish or use the published analyst copy."
        ) from error
    except duckdb.Error as error:
        raise WarehouseError(
            f"{path.resolve()} is not a readable DuckDB warehouse: {error}"
        ) from error


def require_marts(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Fail clearly when the file exists but dbt has not built the marts into it."""
    if not table_exists(connection, "main", "fct_reports"):
        raise WarehouseError(
            f"{Path(path).resolve()} has no marts (main.fct_reports is missing): dbt has not "
            f"built it yet. {BUILD_HINT}"
        )


def run_query(
    connection: duckdb.DuckDBPyConnection, sql: str, parameters: dict | list | None = None
) -> tuple[list[str], list[tuple]]:
    """Run one statement; return column names and rows. Errors name what went wrong."""
    try:
        relation = connection.execute(sql, parameters) if parameters else connection.execute(sql)
    except duckdb.Error as error:
        hint = ""
        if isinstance(error, duckdb.CatalogException):
            hint = (
                "\nMarts are in schema main (fct_reports, fct_report_recipients, fct_responses, "
                'dim_organisations, ...): list every table with  pfdw sql "SHOW ALL TABLES"'
            )
        elif "read-only" in str(error):
            hint = "\nThe warehouse is opened read-only: pfdw sql runs queries, it never writes."
        raise WarehouseError(f"the query failed: {error}{hint}") from error
    if relation.description is None:
        return [], []
    columns = [column[0] for column in relation.description]
    return columns, relation.fetchall()


def withhold_name_columns(
    columns: list[str], rows: list[tuple]
) -> tuple[list[str], list[tuple], list[str]]:
    """Drop the columns that carry names of the deceased; return what was withheld."""
    keep = [i for i, name in enumerate(columns) if name.lower() not in NAME_BEARING_COLUMNS]
    withheld = [name for name in columns if name.lower() in NAME_BEARING_COLUMNS]
    if not withheld:
        return columns, rows, []
    return [columns[i] for i in keep], [tuple(row[i] for i in keep) for row in rows], withheld
