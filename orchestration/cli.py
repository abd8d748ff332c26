"""``pfdw``: the analyst command line. Read-only SQL, export, HTML report and the latest audit.

Everything opens the warehouse read-only (``PFDW_WAREHOUSE_PATH``, or ``--warehouse``), so it is
safe beside a running pipeline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import webbrowser
from pathlib import Path

from orchestration import settings

FORMATS = ("table", "csv", "json")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


def _variable(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pfdw", description=__doc__)
    parser.add_argument(
        "--warehouse",
        type=Path,
        help="DuckDB file to read (default: $PFDW_WAREHOUSE_PATH or data/warehouse/pfd.duckdb)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sql = sub.add_parser("sql", help="run read-only SQL and print the result")
    source = sql.add_mutually_exclusive_group(required=True)
    source.add_argument("query", nargs="?", help='SQL, e.g. "SELECT * FROM fct_reports LIMIT 5"')
    source.add_argument(
        "--file",
        type=Path,
        help="a .sql file, or a question name (q2_organisation_responses) from "
        "orchestration/sql/questions",
    )
    sql.add_argument("--format", choices=FORMATS, default="table")
    sql.add_argument(
        "--var",
        type=_variable,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a DuckDB variable read with getvariable(), e.g. --var area_key=essex; "
        "comma-separated values for org_types/org_keys; dates for since/until",
    )
    sql.add_argument("--max-rows", type=int, default=200, help="rows shown as a table")
    sql.add_argument("--with-names", action="store_true", help="keep columns naming the deceased")

    export = sub.add_parser("export", help="write every mart to Parquet and CSV + data dictionary")
    export.add_argument("--out", type=Path, default=Path("export"), help="folder (default export/)")
    export.add_argument("--table", action="append", help="only this mart (repeatable)")
    export.add_argument("--with-names", action="store_true", help="include names of the deceased")

    report = sub.add_parser("report", help="write a self-contained HTML report")
    report.add_argument(
        "--org-type",
        action="append",
        help="organisation type (nhs_mental_health_trust, or an alias such as "
        "mental_health_trust); repeatable",
    )
    report.add_argument("--org", help="one organisation: name, part of a name, or key (ods:RXT)")
    report.add_argument("--area", help="coroner area (current or historic) name or key")
    report.add_argument("--since", type=_date, help="first report date (YYYY-MM-DD)")
    report.add_argument("--until", type=_date, help="last report date (YYYY-MM-DD)")
    report.add_argument("--out", type=Path, help="output (default reports/pfd-report-<scope>.html)")
    report.add_argument("--with-names", action="store_true", help="list names of the deceased")
    report.add_argument("--open", action="store_true", help="open the report in a browser")

    audit = sub.add_parser("audit", help="print (or open) the latest audit summary")
    audit.add_argument("--open", action="store_true", help="open it in a browser or viewer")
    audit.add_argument("--path", action="store_true", help="print only the summary's path")
    return parser


def _connect(args):
    from orchestration.analyst.warehouse import open_read_only

    path = args.warehouse or settings.warehouse_path()
    connection = open_read_only(path)
    return connection, path


def _typed_variable(name: str, value: str):
    if name in ("org_types", "org_keys"):
        return [part.strip() for part in value.split(",") if part.strip()]
    if name in ("since", "until"):
        return _date(value)
    return value


def _print_table(console, columns, rows, max_rows: int) -> None:
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows[:max_rows]:
        table.add_row(*["" if value is None else str(value) for value in row])
    console.print(table)
    shown = min(len(rows), max_rows)
    more = (
        f" (first {shown} shown; --max-rows or --format csv for all)" if shown < len(rows) else ""
    )
    console.print(f"{len(rows)} row(s){more}", style="dim")


def command_sql(args) -> int:
    import csv

    from rich.console import Console

    from orchestration.analyst.questions import QUESTIONS_DIR
    from orchestration.analyst.warehouse import WarehouseError, run_query, withhold_name_columns

    if args.file is not None:
        path = args.file
        if not path.exists() and (QUESTIONS_DIR / f"{path.stem}.sql").exists():
            path = QUESTIONS_DIR / f"{path.stem}.sql"
        if not path.exists():
            raise WarehouseError(f"No SQL file {args.file} (nor a question of that name)")
        query = path.read_text(encoding="utf-8")
    else:
        query = args.query
    connection, _ = _connect(args)
    try:
        for name, value in args.var:
            typed = _typed_variable(name, value)
            cast = "::DATE" if isinstance(typed, dt.date) else ""
            cast = "::VARCHAR[]" if isinstance(typed, list) else cast
            connection.execute(f"SET VARIABLE {name} = ?{cast}", [typed])
        columns, rows = run_query(connection, query)
    finally:
        connection.close()
    errors = Console(stderr=True)
    if not args.with_names:
        columns, rows, withheld = withhold_name_columns(columns, rows)
        if withheld:
            errors.print(
                f"Left out column(s) naming the deceased: {', '.join(withheld)} "
                "(pass --with-names to include them).",
                style="yellow",
            )
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif args.format == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        json.dump(records, sys.stdout, default=str, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_table(Console(), columns, rows, args.max_rows)
    return 0


def command_export(args) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from orchestration.analyst.export import export_marts, mart_tables
    from orchestration.analyst.warehouse import require_marts

    connection, path = _connect(args)
    console = Console(stderr=True)
    try:
        require_marts(connection, path)
        total = len(args.table or mart_tables(connection))
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("exporting", total=total)

            def on_table(table: str) -> None:
                progress.update(task, description=f"exporting {table}")
                progress.advance(task)

            exported = export_marts(
                connection,
                args.out,
                with_names=args.with_names,
                tables=args.table,
                on_table=on_table,
            )
    finally:
        connection.close()
    for table in exported:
        note = f" (left out: {', '.join(table.withheld_columns)})" if table.withheld_columns else ""
        console.print(f"{table.table}: {table.rows:,} rows{note}")
    console.print(
        f"Wrote {len(exported)} tables to {args.out.resolve()}/parquet and /csv, "
        f"with {args.out.resolve()}/DATA_DICTIONARY.md and data_dictionary.csv"
    )
    return 0


def _default_report_name(scope) -> str:
    import re

    slug = re.sub(r"[^a-z0-9]+", "-", scope.title.lower()).strip("-")[:80] or "all"
    return f"reports/pfd-report-{slug}.html"


def command_report(args) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from orchestration.analyst.report import STEPS, write_report
    from orchestration.analyst.scope import build_scope
    from orchestration.analyst.warehouse import require_marts

    console = Console(stderr=True)
    connection, path = _connect(args)
    try:
        require_marts(connection, path)
        scope = build_scope(
            connection,
            org_types=args.org_type,
            org=args.org,
            area=args.area,
            since=args.since,
            until=args.until,
        )
        out = args.out or Path(_default_report_name(scope))
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("report", total=len(STEPS))

            def on_step(name: str) -> None:
                progress.update(task, description=f"report: {name}")
                progress.advance(task)

            data = write_report(connection, scope, out, with_names=args.with_names, on_step=on_step)
    finally:
        connection.close()
    headline = data.headline
    console.print(
        f"{scope.title}: {headline['reports_sent']:,} reports, {headline['organisations']:,} "
        f"organisations, {headline['responses_published']:,} responses published, "
        f"{headline['overdue']:,} overdue (as of {headline['as_of_date']})."
    )
    print(out.resolve())
    if args.open:
        webbrowser.open(out.resolve().as_uri())
    return 0


def command_audit(args) -> int:
    from orchestration.analyst.audit import latest_summary

    summary = latest_summary(settings.data_dir() / "audit")
    if args.path:
        print(summary.resolve())
        return 0
    if args.open or summary.suffix.lower() == ".html":
        print(f"Latest audit summary: {summary.resolve()}", file=sys.stderr)
        if args.open:
            webbrowser.open(summary.resolve().as_uri())
        else:
            print("It is an HTML page: pass --open to view it in a browser.", file=sys.stderr)
        return 0
    print(f"Latest audit summary: {summary.resolve()}", file=sys.stderr)
    text = summary.read_text(encoding="utf-8")
    if summary.suffix.lower() == ".md":
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


COMMANDS = {
    "sql": command_sql,
    "export": command_export,
    "report": command_report,
    "audit": command_audit,
}


def main(argv: list[str] | None = None) -> int:
    from orchestration.analyst.audit import NoAuditYet
    from orchestration.analyst.scope import ScopeError
    from orchestration.analyst.warehouse import WarehouseError

    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (WarehouseError, ScopeError, NoAuditYet, ValueError, OSError) as error:
        print(f"pfdw {args.command}: {error}", file=sys.stderr)
        return 1 if not isinstance(error, NoAuditYet) else 2


if __name__ == "__main__":
    sys.exit(main())
