"""Export every mart to Parquet and CSV with a data dictionary built from the dbt docs."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from orchestration.analyst.output import plural
from orchestration.analyst.warehouse import NAME_BEARING_COLUMNS, quote_identifier

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
MART_SCHEMA = "main"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_LEADING = ("=", "+", "-", "@", "\t", "\r")
FORMULA_LEADING_PATTERN = "^[=+@\t\r-]"
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?")
FORMULA_NOTE = (
    "In the CSV files a text cell that starts with =, +, -, @, a tab or a carriage return (and is"
    " not just a number) begins with an added apostrophe ('), so a spreadsheet shows it as text"
    " instead of running it as a formula (the OWASP CSV-injection rule); the Parquet files hold"
    " the values unchanged."
)


@dataclass(frozen=True)
class ExportedTable:
    table: str
    rows: int
    parquet: Path
    csv: Path
    withheld_columns: tuple[str, ...]
    # True when the rows were cut to the reports (or recipients) of a scope
    scoped: bool = False


def _scoped(connection: duckdb.DuckDBPyConnection, scope) -> dict[str, duckdb.DuckDBPyRelation]:
    """The keys in scope, by the column that carries them: report_url (reports in scope) and
    report_recipient_key (recipients in scope), from the report's own _scope.sql."""
    from orchestration.analyst.questions import SCOPE_FILE, apply_scope

    apply_scope(connection, scope.variables)
    ctes = SCOPE_FILE.read_text(encoding="utf-8")
    return {
        "report_url": connection.sql(f"{ctes}\nselect distinct report_url from reports_in_scope"),
        "report_recipient_key": connection.sql(
            f"{ctes}\nselect distinct report_recipient_key from scoped_recipients"
        ),
    }


def mart_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
        "AND table_type = 'BASE TABLE' ORDER BY table_name",
        [MART_SCHEMA],
    ).fetchall()
    return [row[0] for row in rows]


def column_descriptions(dbt_project_dir: Path = DBT_PROJECT_DIR) -> tuple[dict, dict, str]:
    """({table: description}, {(table, column): description}, source) from the dbt manifest
    when it exists (what `dbt docs` shows), else from the models' YAML files."""
    manifest = Path(dbt_project_dir) / "target" / "manifest.json"
    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    if manifest.exists():
        nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
        for node in nodes.values():
            if node.get("resource_type") not in ("model", "seed"):
                continue
            name = node.get("alias") or node["name"]
            tables[name] = (node.get("description") or "").strip()
            for column, spec in (node.get("columns") or {}).items():
                columns[(name, column)] = (spec.get("description") or "").strip()
        return tables, columns, str(manifest)
    for path in sorted((Path(dbt_project_dir) / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            tables[model["name"]] = " ".join((model.get("description") or "").split())
            for column in model.get("columns") or []:
                columns[(model["name"], column["name"])] = " ".join(
                    (column.get("description") or "").split()
                )
    return tables, columns, f"{dbt_project_dir}/models/**/*.yml"


def neutralise_cell(value):
    """A text cell a spreadsheet would run as a formula, with a leading apostrophe (the OWASP
    CSV-injection rule); numbers, and text that is just a number, stay as they are."""
    if (
        isinstance(value, str)
        and value[:1] in FORMULA_LEADING
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _neutralised(column: str, data_type: str) -> duckdb.Expression:
    """The column for the CSV: a text column's formula-leading cells get the apostrophe."""
    expression = duckdb.ColumnExpression(column)
    if data_type != "VARCHAR":
        return expression
    formula = duckdb.FunctionExpression(
        "regexp_matches", expression, duckdb.ConstantExpression(FORMULA_LEADING_PATTERN)
    )
    number = duckdb.FunctionExpression(
        "regexp_full_match", expression, duckdb.ConstantExpression(PLAIN_NUMBER.pattern)
    )
    apostrophe = duckdb.FunctionExpression("concat", duckdb.ConstantExpression("'"), expression)
    return duckdb.CaseExpression(formula & ~number, apostrophe).otherwise(expression).alias(column)


def export_marts(
    connection: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    with_names: bool = False,
    tables: list[str] | None = None,
    dbt_project_dir: Path = DBT_PROJECT_DIR,
    on_table: Callable[[str], None] | None = None,
    scope=None,
) -> list[ExportedTable]:
    """Write each mart with DuckDB's relation API: paths are arguments, never SQL text. With a
    scope (analyst/scope.py, the same filters as the report) a mart with report recipients keeps
    the recipients in scope, one with reports the reports in scope; the others are whole."""
    out_dir = Path(out_dir)
    (out_dir / "parquet").mkdir(parents=True, exist_ok=True)
    (out_dir / "csv").mkdir(parents=True, exist_ok=True)
    available = mart_tables(connection)
    chosen = tables or available
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        raise ValueError(
            f"Not a mart table: {', '.join(unknown)}. Mart tables: {', '.join(available)}"
        )
    table_docs, column_docs, docs_source = column_descriptions(dbt_project_dir)
    in_scope = _scoped(connection, scope) if scope is not None else {}
    exported: list[ExportedTable] = []
    dictionary_rows: list[dict] = []
    for table in chosen:
        if on_table is not None:
            on_table(table)
        # the table name is one the catalog listed (checked above), quoted as an identifier.
        relation = connection.table(f"{quote_identifier(MART_SCHEMA)}.{quote_identifier(table)}")
        key = next((column for column in in_scope if column in relation.columns), None)
        if key is not None:
            relation = relation.join(in_scope[key], key, how="semi")
        described = list(zip(relation.columns, (str(t) for t in relation.types), strict=True))
        withheld = tuple(
            c for c, _ in described if not with_names and c.lower() in NAME_BEARING_COLUMNS
        )
        kept = [(c, t) for c, t in described if c not in withheld]
        parquet_path = out_dir / "parquet" / f"{table}.parquet"
        csv_path = out_dir / "csv" / f"{table}.csv"
        relation.select(*[duckdb.ColumnExpression(c) for c, _ in kept]).write_parquet(
            str(parquet_path)
        )
        relation.select(*[_neutralised(c, t) for c, t in kept]).write_csv(
            str(csv_path), header=True
        )
        (rows,) = relation.aggregate("count(*)").fetchall()[0]
        exported.append(
            ExportedTable(table, rows, parquet_path, csv_path, withheld, key is not None)
        )
        for name, data_type in kept:
            dictionary_rows.append(
                {
                    "table": table,
                    "column": name,
                    "type": data_type,
                    "description": column_docs.get((table, name), ""),
                }
            )
    scope_note = None
    if scope is not None:
        scope_note = (
            f"Scope: {scope.title}. Tables marked (in scope) hold only the reports in scope "
            "(and, for recipients, the recipients in scope); the others are whole."
        )
    _write_dictionary(out_dir, exported, dictionary_rows, table_docs, docs_source, scope_note)
    return exported


def _write_dictionary(
    out_dir: Path,
    exported: list[ExportedTable],
    dictionary_rows: list[dict],
    table_docs: dict[str, str],
    docs_source: str,
    scope_note: str | None = None,
) -> None:
    with (out_dir / "data_dictionary.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["table", "column", "type", "description"])
        writer.writeheader()
        writer.writerows(
            {key: neutralise_cell(value) for key, value in row.items()} for row in dictionary_rows
        )
    lines = [
        "# Data dictionary: PFD warehouse marts",
        "",
        f"Column descriptions from the dbt docs ({docs_source}). Files: `parquet/<table>.parquet`"
        " and `csv/<table>.csv` (UTF-8, header row).",
        "",
        FORMULA_NOTE,
        "",
    ]
    if scope_note:
        lines += [scope_note, ""]
    for table in exported:
        marked = ", in scope" if table.scoped else ""
        lines += [f"## {table.table} ({plural(table.rows, 'row')}{marked})", ""]
        if table_docs.get(table.table):
            lines += [" ".join(table_docs[table.table].split()), ""]
        if table.withheld_columns:
            lines += [
                f"Left out (names of the deceased; export with --with-names to include): "
                f"{', '.join(table.withheld_columns)}.",
                "",
            ]
        lines += ["| column | type | description |", "|---|---|---|"]
        for row in dictionary_rows:
            if row["table"] == table.table:
                description = row["description"].replace("|", "\\|").replace("\n", " ")
                lines.append(f"| {row['column']} | {row['type']} | {description} |")
        lines.append("")
    (out_dir / "DATA_DICTIONARY.md").write_text("\n".join(lines), encoding="utf-8")
