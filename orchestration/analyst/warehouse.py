"""Open the warehouse for analysts: read-only, and for `pfdw sql` a sandbox with no way out.

`open_read_only` is the plain read-only connection the export and the report use (they run the
project's own SQL). `open_sandbox` is what runs a user's SQL: an in-memory database holding a copy
of the warehouse's analyst tables (without the columns naming the deceased unless asked), made
while the warehouse file is attached read-only; the file is then detached, external access is
switched off and the configuration locked. The user's statement therefore sees only that copy: no
file (not even the warehouse file: DuckDB keeps an attached file writable by COPY even with
external access off), no extension, no setting, and no names, whatever the query says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
# fct_report_sections.section_text, the report's circumstances of the death among them, and
# bridge_report_themes' evidence taken from it).
NAME_BEARING_COLUMNS = frozenset(
    {
        "deceased_name",
        "deceased_name_raw",
        "page_title",
        "report_sections",
        "item",
        "section_text",
        "raw_text",
        # bridge_report_themes: the sentence (and words) that gave a theme, the report's own words
        "evidence_text",
        "matched_text",
    }
)

# What the sandbox holds without --with-names: every table of these schemas (None) or the named
# tables, less NAME_BEARING_COLUMNS. The raw page tables, staging and intermediate are left out
# whole: their free text (report sections, page versions) carries names under other columns.
ANALYST_TABLES: dict[str, tuple[str, ...] | None] = {
    "main": None,
    "reference": None,
    "raw": ("crawl_runs", "crawl_errors", "skipped_pages"),
}
# With --with-names every schema is copied but dbt's stored test failures.
SCHEMAS_NEVER_COPIED = frozenset({"dbt_test__audit"})
SOURCE_ALIAS = "pfdw_source"
# Statement kinds a user may run: queries (SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, SUMMARIZE
# are all SELECT), EXPLAIN, PRAGMA and CALL (read-only table functions), MULTI (a PIVOT).
ALLOWED_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL", "MULTI"})
SANDBOX_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,
    # no spill folder: a temp directory would be a place the user's COPY could write to.
    "temp_directory": "",
}


class WarehouseError(Exception):
    """A problem with the warehouse file or a query, explained for the person at the terminal."""


@dataclass
class Sandbox:
    connection: duckdb.DuckDBPyConnection
    with_names: bool
    # "schema.table" -> the columns naming the deceased left out of it
    withheld: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def close(self) -> None:
        self.connection.close()


def _check_file(path: Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise WarehouseError(f"No warehouse at {path.resolve()}. {BUILD_HINT}")
    if path.is_dir():
        raise WarehouseError(f"{path.resolve()} is a directory; expected a DuckDB file.")
    return path


def _open_error(path: Path, error: duckdb.Error) -> WarehouseError:
    if isinstance(error, duckdb.IOException):
        return WarehouseError(
            f"Could not open {path.resolve()} read-only: {one_line(error)}. If the pipeline is "
            "writing to it right now, wait for the run to finish or use the published analyst "
            "copy."
        )
    return WarehouseError(f"{path.resolve()} is not a readable DuckDB warehouse: {one_line(error)}")


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    path = _check_file(path)
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise _open_error(path, error) from error


def quote_identifier(name: str) -> str:
    """A catalog name (never user text) as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def _tables_to_copy(connection, with_names: bool) -> list[tuple[str, str]]:
    rows = connection.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? "
        "ORDER BY schema_name, table_name",
        [SOURCE_ALIAS],
    ).fetchall()
    if with_names:
        return [(schema, table) for schema, table in rows if schema not in SCHEMAS_NEVER_COPIED]
    chosen = []
    for schema, table in rows:
        if schema in ANALYST_TABLES and (
            ANALYST_TABLES[schema] is None or table in ANALYST_TABLES[schema]
        ):
            chosen.append((schema, table))
    return chosen


def _copy_tables(connection, with_names: bool) -> dict[str, tuple[str, ...]]:
    """Copy the analyst tables into the in-memory database; return what was withheld."""
    withheld: dict[str, tuple[str, ...]] = {}
    for schema in sorted({schema for schema, _ in _tables_to_copy(connection, with_names)}):
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS memory.{quote_identifier(schema)}")
    for schema, table in _tables_to_copy(connection, with_names):
        columns = [
            row[0]
            for row in connection.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = ? "
                "AND schema_name = ? AND table_name = ? ORDER BY column_index",
                [SOURCE_ALIAS, schema, table],
            ).fetchall()
        ]
        kept = [c for c in columns if with_names or c.lower() not in NAME_BEARING_COLUMNS]
        if len(kept) < len(columns):
            withheld[f"{schema}.{table}"] = tuple(c for c in columns if c not in kept)
        if not kept:
            continue
        target = f"{quote_identifier(schema)}.{quote_identifier(table)}"
        select_list = ", ".join(quote_identifier(c) for c in kept)
        # identifiers from the warehouse's own catalog, quoted; no user text reaches this SQL.
        connection.execute(
            f"CREATE TABLE memory.{target} AS "  # noqa: S608
            f"SELECT {select_list} FROM {SOURCE_ALIAS}.{target}"
        )
    return withheld


def open_sandbox(path: Path, *, with_names: bool = False) -> Sandbox:
    """The connection `pfdw sql` runs a user's statement on (see the module docstring)."""
    path = _check_file(path)
    connection = duckdb.connect(":memory:", config=SANDBOX_CONFIG)
    try:
        try:
            connection.execute(f"ATTACH ? AS {SOURCE_ALIAS} (READ_ONLY)", [str(path.resolve())])
        except duckdb.Error as error:
            raise _open_error(path, error) from error
        try:
            withheld = _copy_tables(connection, with_names)
        except duckdb.Error as error:
            raise WarehouseError(
                f"Could not copy the analyst tables of {path.resolve()}: {one_line(error)}"
            ) from error
        finally:
            connection.execute(f"DETACH {SOURCE_ALIAS}")
        connection.execute("USE memory")
        connection.execute("SET enable_external_access = false")
        connection.execute("SET lock_configuration = true")
        files = connection.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE path IS NOT NULL"
        ).fetchone()[0]
        if files:  # the copy must be all the user can reach
            raise WarehouseError("the analyst sandbox still has a database file attached")
    except BaseException:
        connection.close()
        raise
    return Sandbox(connection, with_names, withheld)


def one_line(error: BaseException) -> str:
    """DuckDB's message without its multi-line context (the LINE 1: ... caret block)."""
    text = str(error).split("\nLINE ", 1)[0]
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def check_statement(sql: str) -> duckdb.Statement:
    """The one statement of ``sql``, or a one-line refusal saying why not."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise WarehouseError(f"the query failed: {one_line(error)}") from error
    if not statements:
        raise WarehouseError("no SQL statement given.")
    if len(statements) > 1:
        raise WarehouseError(
            f"refused: {len(statements)} statements; pfdw sql runs one statement at a time."
        )
    statement = statements[0]
    kind = statement.type.name
    if kind not in ALLOWED_STATEMENTS:
        article = "an" if kind[:1] in "AEIOU" else "a"
        raise WarehouseError(
            f"refused: {article} {kind} statement. The warehouse is read-only: pfdw sql runs "
            "one query (SELECT, WITH, FROM, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN, PRAGMA, CALL) and "
            "never writes, copies, attaches, installs or changes settings (use --var for "
            "variables)."
        )
    return statement


def _query_hint(error: duckdb.Error, sandbox: Sandbox | None) -> str:
    message = str(error)
    withheld = {c.lower() for columns in (sandbox.withheld if sandbox else {}).values()
                for c in columns}  # fmt: skip
    named = [c for c in sorted(withheld) if re.search(rf'"{re.escape(c)}"', message, re.I)]
    if isinstance(error, duckdb.BinderException) and named:
        return f"; columns naming the deceased ({', '.join(named)}) need --with-names."
    if isinstance(error, duckdb.CatalogException):
        hint = (
            "; marts are in schema main (fct_reports, fct_report_recipients, fct_responses, "
            'dim_organisations, ...): list every table with  pfdw sql "SHOW ALL TABLES"'
        )
        if sandbox is not None and not sandbox.with_names:
            hint += "; raw page tables, staging and intermediate need --with-names."
        return hint
    if isinstance(error, duckdb.PermissionException):
        return "; pfdw sql reads the warehouse only: no files, network or extensions."
    return ""


def run_query(
    connection: duckdb.DuckDBPyConnection | Sandbox,
    sql: str,
    parameters: dict | list | None = None,
) -> tuple[list[str], list[tuple]]:
    """Run one statement; return column names and rows. Errors are one line naming the problem.

    Given a Sandbox (user SQL), a second statement or a kind that is not a query is refused
    before anything runs; the sandbox's settings refuse the rest."""
    sandbox = connection if isinstance(connection, Sandbox) else None
    target = sandbox.connection if sandbox else connection
    statement = check_statement(sql) if sandbox else sql
    try:
        relation = (
            target.execute(statement, parameters) if parameters else target.execute(statement)
        )
    except duckdb.Error as error:
        refused = isinstance(error, duckdb.PermissionException) or "locked" in str(error)
        prefix = "refused" if refused else "the query failed"
        raise WarehouseError(f"{prefix}: {one_line(error)}{_query_hint(error, sandbox)}") from error
    if relation.description is None:
        return [], []
    columns = [column[0] for column in relation.description]
    try:
        return columns, relation.fetchall()
    except duckdb.Error as error:
        raise WarehouseError(f"the query failed: {one_line(error)}") from error


def require_marts(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Fail clearly when the file exists but dbt has not built the marts into it."""
    if not table_exists(connection, "main", "fct_reports"):
        raise WarehouseError(
            f"{Path(path).resolve()} has no marts (main.fct_reports is missing): dbt has not "
            f"built it yet. {BUILD_HINT}"
        )


def withhold_name_columns(
    columns: list[str], rows: list[tuple]
) -> tuple[list[str], list[tuple], list[str]]:
    """Drop the columns that carry names of the deceased; return what was withheld."""
    keep = [i for i, name in enumerate(columns) if name.lower() not in NAME_BEARING_COLUMNS]
    withheld = [name for name in columns if name.lower() in NAME_BEARING_COLUMNS]
    if not withheld:
        return columns, rows, []
    return [columns[i] for i in keep], [tuple(row[i] for i in keep) for row in rows], withheld
