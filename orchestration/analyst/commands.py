"""The analyst sub-commands of ``pfdw``: sql, export, report and audit (show the latest summary).

Everything opens the warehouse read-only (``--warehouse`` or ``PFDW_WAREHOUSE_PATH``), so it is
safe beside a running pipeline. The parser is in ``orchestration.cli``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import webbrowser
from pathlib import Path

from orchestration.warehouse import settings


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _connect(args):
    from orchestration.analyst.warehouse import open_read_only

    path = settings.locations(args.warehouse, args.data_dir)[0]
    connection = open_read_only(path)
    return connection, path


BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _typed_variable(name: str, value: str, connection=None):
    """The value of ``--var NAME=VALUE`` as the questions expect it. Scope words (org_types,
    recipient_sources, area_key, org_keys) go through the report's own vocabulary
    (analyst/scope.py), so the two commands never disagree; an unknown word is a ScopeError
    naming the valid ones."""
    from orchestration.analyst.scope import variable_value

    scoped = variable_value(connection, name, value)
    if scoped is not None:
        return scoped
    if name in ("since", "until"):
        try:
            return _date(value)
        except ValueError:
            raise ValueError(f"--var {name}={value}: not a date (use YYYY-MM-DD).") from None
    if name == "as_named":
        if value.strip().lower() not in BOOLEAN_WORDS:
            raise ValueError(f"--var as_named={value}: use true or false.")
        return BOOLEAN_WORDS[value.strip().lower()]
    return value


def _variable_cast(value) -> str:
    if isinstance(value, bool):
        return "::BOOLEAN"
    if isinstance(value, dt.date):
        return "::DATE"
    if isinstance(value, list):
        return "::VARCHAR[]"
    return ""


def set_variables(connection, variables: list[tuple[str, str]]) -> None:
    """``--var NAME=VALUE`` as DuckDB session variables: the value is a bound parameter and the
    name a quoted identifier, so neither can change the statement; any problem is one line."""
    import duckdb

    from orchestration.analyst.warehouse import WarehouseError, one_line, quote_identifier

    for name, value in variables:
        # a ValueError (ScopeError) names the --var and what to use
        typed = _typed_variable(name, value, connection)
        try:
            connection.execute(
                f"SET VARIABLE {quote_identifier(name)} = ?{_variable_cast(typed)}", [typed]
            )
        except duckdb.Error as error:
            raise WarehouseError(f"--var {name}={value}: {one_line(error)}") from None


def _read_query(args) -> str:
    from orchestration.analyst.questions import QUESTIONS_DIR
    from orchestration.analyst.warehouse import WarehouseError

    if args.file is None:
        return args.query
    path = args.file
    if not path.exists() and (QUESTIONS_DIR / f"{path.stem}.sql").exists():
        path = QUESTIONS_DIR / f"{path.stem}.sql"
    if not path.is_file():
        raise WarehouseError(f"No SQL file {args.file} (nor a question of that name)")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        message = f"{path} is not UTF-8 text: {error.reason} at byte {error.start}"
        raise WarehouseError(message) from None


def _names_note(sandbox, query: str) -> str | None:
    """A hint (never the protection: the sandbox has no such columns) when the query names a
    table whose columns naming the deceased were left out."""
    import re

    from orchestration.analyst.output import noun

    touched = [
        (table.split(".")[-1], columns)
        for table, columns in sorted(sandbox.withheld.items())
        if re.search(rf"\b{re.escape(table.split('.')[-1])}\b", query, re.IGNORECASE)
    ]
    if not touched:
        return None
    count = sum(len(columns) for _, columns in touched)
    listed = "; ".join(f"{table} ({', '.join(columns)})" for table, columns in touched)
    return (
        f"Left out {noun(count, 'column')} naming the deceased: {listed} "
        "(pass --with-names to include them)."
    )


def command_sql(args) -> int:
    """Run one statement of the user's SQL in the analyst sandbox (analyst/warehouse.py)."""
    import csv

    from orchestration.analyst.export import neutralise_cell
    from orchestration.analyst.output import print_table
    from orchestration.analyst.warehouse import open_sandbox, run_query

    query = _read_query(args)
    path = settings.locations(args.warehouse, args.data_dir)[0]
    sandbox = open_sandbox(path, with_names=args.with_names)
    try:
        set_variables(sandbox.connection, args.var)
        columns, rows = run_query(sandbox, query)
    finally:
        sandbox.close()
    note = None if args.with_names else _names_note(sandbox, query)
    if note:
        print(note, file=sys.stderr)
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow([neutralise_cell(column) for column in columns])
        writer.writerows([neutralise_cell(value) for value in row] for row in rows)
    elif args.format == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        json.dump(records, sys.stdout, default=str, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_table(columns, rows, max_rows=args.max_rows)
    return 0


SCOPE_OPTIONS = ("org_type", "org", "area", "since", "until", "recipient_source", "as_named")


def _scope_from_args(connection, args):
    """The report scope from the filters `pfdw report` and `pfdw export` share (getattr: a
    caller's namespace may predate some of them)."""
    from orchestration.analyst.scope import build_scope

    return build_scope(
        connection,
        org_types=getattr(args, "org_type", None),
        org=getattr(args, "org", None),
        area=getattr(args, "area", None),
        since=getattr(args, "since", None),
        until=getattr(args, "until", None),
        recipient_sources=getattr(args, "recipient_source", None),
        as_named=bool(getattr(args, "as_named", False)),
    )


def _reports_in_scope(connection, scope) -> int:
    from orchestration.analyst.questions import run_question

    return run_question(connection, "q1_headline", scope.variables)[0]["reports_sent"] or 0


def command_export(args) -> int:
    import duckdb
    from rich.console import Console
    from rich.progress import Progress

    from orchestration.analyst.export import export_marts, mart_tables
    from orchestration.analyst.output import plural
    from orchestration.analyst.warehouse import WarehouseError, one_line, require_marts

    connection, path = _connect(args)
    console = Console(stderr=True)
    try:
        require_marts(connection, path)
        scope = None
        if any(getattr(args, option, None) for option in SCOPE_OPTIONS):
            scope = _scope_from_args(connection, args)
            reports = _reports_in_scope(connection, scope)
            console.print(
                f"{plural(reports, 'report')} match {scope.title}.", soft_wrap=True, highlight=False
            )
        total = len(args.table or mart_tables(connection))
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("exporting", total=total)

            def on_table(table: str) -> None:
                progress.update(task, description=f"exporting {table}")
                progress.advance(task)

            try:
                exported = export_marts(
                    connection,
                    args.out,
                    with_names=args.with_names,
                    tables=args.table,
                    on_table=on_table,
                    scope=scope,
                )
            except duckdb.Error as error:
                raise WarehouseError(f"export to {args.out} failed: {one_line(error)}") from None
    finally:
        connection.close()
    for table in exported:
        note = f" (left out: {', '.join(table.withheld_columns)})" if table.withheld_columns else ""
        marked = " in scope" if table.scoped else ""
        console.print(
            f"{table.table}: {plural(table.rows, 'row')}{marked}{note}",
            soft_wrap=True,
            highlight=False,
        )
    console.print(
        f"Wrote {plural(len(exported), 'table')} to {args.out.resolve()}/parquet and /csv, "
        f"with {args.out.resolve()}/DATA_DICTIONARY.md and data_dictionary.csv",
        soft_wrap=True,
    )
    return 0


def _default_report_name(scope) -> str:
    import re

    slug = re.sub(r"[^a-z0-9]+", "-", scope.title.lower()).strip("-")[:80] or "all"
    return f"reports/pfd-report-{slug}.html"


def _headline_text(scope, headline: dict) -> str:
    """The report's one-line summary; a scope with no reports says so plainly."""
    from orchestration.analyst.output import plural

    if not headline.get("reports_sent"):
        return f"0 reports match {scope.title} (as of {headline.get('as_of_date')})."
    return (
        f"{scope.title}: {plural(headline['reports_sent'], 'report')}, "
        f"{plural(headline['organisations'], 'organisation')} ({scope.organisations_shown}), "
        f"{plural(headline['responses_published'], 'response')} published, "
        f"{headline['possibly_answered']:,} possibly answered, {headline['overdue']:,} overdue, "
        f"{headline['status_unknown']:,} status unknown (as of {headline['as_of_date']})."
    )


def command_report(args) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from orchestration.analyst.report import STEPS, write_report
    from orchestration.analyst.warehouse import require_marts

    console = Console(stderr=True)
    connection, path = _connect(args)
    try:
        require_marts(connection, path)
        scope = _scope_from_args(connection, args)
        out = args.out or Path(_default_report_name(scope))
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("report", total=len(STEPS))

            def on_step(name: str) -> None:
                progress.update(task, description=f"report: {name}")
                progress.advance(task)

            data = write_report(connection, scope, out, with_names=args.with_names, on_step=on_step)
    finally:
        connection.close()
    console.print(_headline_text(scope, data.headline), soft_wrap=True, highlight=False)
    print(out.resolve())
    if args.open:
        webbrowser.open(out.resolve().as_uri())
    return 0


def command_audit(args) -> int:
    from orchestration.analyst.audit_summary import latest_summary

    data_dir = settings.locations(args.warehouse, args.data_dir)[1]
    summary = latest_summary(data_dir / "audit")
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
    if summary.suffix.lower() == ".md" and sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
