"""``pfdw``: the one command line of the PFD warehouse.

    pfdw run [--job JOB] [--as-of DATE] [-v]  run a Dagster job (default: collect_and_audit)
    pfdw ui [--port 3000]                    the Dagster UI
    pfdw prepare                             dbt manifest + Dagster instance (the build step)
    pfdw collect [--spider SLUG] [--mode M]  crawl and load one source without Dagster
    pfdw audit [run]                         the latest audit summary, or run the audit now
    pfdw docs [--port 8580] [--no-serve]     dbt docs + GX Data Docs, served on 127.0.0.1
    pfdw returns load FILE | template | history   FOI / official returns files
    pfdw foi pack --org-type T | status      FOI request letters and lists; who is late
    pfdw sql | export | report               read-only analyst tools
    pfdw search "ligature points" [filters]  full-text search of the report sections
    pfdw snapshot serve | fixtures           the offline replica of the sites
    pfdw bench [crawl|dbt|dagster|snapshot|chaos|search]  benchmarks (figures printed, not asserted)
    pfdw quality                             precision/recall of name resolution and themes

Every sub-command takes the same ``--warehouse`` (the DuckDB file; default
``$PFDW_WAREHOUSE_PATH`` or ``<data dir>/warehouse/pfd.duckdb``) and ``--data-dir`` (run folders,
audit output, inboxes; default ``$PFDW_DATA_DIR`` or ``data``); dated ones take ``--as-of``.
Heavy libraries (Dagster, dbt, Great Expectations) are imported only by the sub-command that
needs them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from orchestration.warehouse import settings

FORMATS = ("table", "csv", "json")
JOBS = (
    "collect_and_audit",
    "daily_collection",
    "full_recrawl",
    "weekly_publication_audit",
    "returns_inbox",
)
BENCHES = {
    "crawl": "orchestration.bench.crawl_bench",
    "dbt": "orchestration.bench.dbt_bench",
    "dagster": "orchestration.bench.dagster_bench",
    "snapshot": "scrapers.snapshot.benchmark",
    "chaos": "orchestration.bench.chaos",
    "search": "orchestration.bench.search_bench",
}
# Sub-commands whose options belong to another module: the rest of the line goes there as is.
PASS_THROUGH = ("snapshot", "bench", "quality")


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


def _common() -> argparse.ArgumentParser:
    """--warehouse and --data-dir, the same on every sub-command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--warehouse",
        type=Path,
        help="the DuckDB warehouse file (default: $PFDW_WAREHOUSE_PATH or"
        " <data dir>/warehouse/pfd.duckdb)",
    )
    common.add_argument(
        "--data-dir",
        type=Path,
        help="run folders, audit output, inboxes, Dagster home (default: $PFDW_DATA_DIR or data)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pfdw",
        description="The open warehouse of coroners' Prevention of Future Deaths reports.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n")[1],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common()

    def command(name: str, text: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, parents=[common], **kwargs)

    # --- the pipeline -----------------------------------------------------------------------
    run = command(
        "run",
        "run a Dagster job of the code location (shown in the Dagster UI) in this process",
    )
    run.add_argument("--job", choices=JOBS, default=JOBS[0])
    run.add_argument(
        "-v", "--verbose", action="store_true", help="every Dagster event (DEBUG), not just INFO"
    )
    run.add_argument("--as-of", type=_date, help="snapshot only: the sites as of YYYY-MM-DD")
    _writer_wait_option(run)
    ui = command("ui", "start the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    command("prepare", "dbt parse and create the Dagster instance (the build step)")

    collect = command(
        "collect", "crawl one source (snapshot or live) and load its raw tables, without Dagster"
    )
    collect.add_argument("--spider", default="judiciary_pfd", help="the source slug")
    collect.add_argument(
        "--mode",
        choices=("auto", "full", "incremental"),
        default="auto",
        help="auto: incremental when the warehouse holds reports, else full",
    )
    collect.add_argument(
        "--source", choices=("snapshot", "live"), help="default: $PFDW_SOURCE or 'snapshot'"
    )
    collect.add_argument("--as-of", type=_date, help="snapshot only: the site as of this date")
    collect.add_argument("--base-url", help="crawl this origin instead (e.g. a snapshot you run)")
    crawl_only = collect.add_argument_group(
        "crawl only (no load): one run folder, for debugging a crawl"
    )
    crawl_only.add_argument("--crawl-only", action="store_true", help="do not load the run")
    crawl_only.add_argument("--run-dir", type=Path, help="a new folder for this run")
    crawl_only.add_argument("--state-file", type=Path, help="incremental state JSON")
    crawl_only.add_argument("--snapshot-layout", default="current", help="current | 2025-08")
    crawl_only.add_argument("--max-listing-pages", type=int)
    crawl_only.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Scrapy setting override, e.g. DOWNLOAD_TIMEOUT=5 (repeatable)",
    )
    crawl_only.add_argument("--timeout", type=float, help="kill the crawl after this many seconds")
    from_fault_options(collect)
    _writer_wait_option(collect)

    audit = command("audit", "print (or open) the latest audit summary; `audit run` runs it")
    audit.add_argument("--open", action="store_true", help="open it in a browser or viewer")
    audit.add_argument("--path", action="store_true", help="print only the summary's path")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="run")
    audit_run = audit_commands.add_parser(
        "run", parents=[common], help="run the audit suites and write Data Docs and a summary"
    )
    audit_run.add_argument("--config", type=Path, help="JSON object of thresholds")
    audit_run.add_argument("--suite", action="append", help="only this suite (repeatable)")
    audit_run.add_argument(
        "--returns", action="append", type=Path, default=[], help="load this returns file first"
    )
    _writer_wait_option(audit_run)

    returns = command("returns", "load a returns file (FOI answer) or write the templates")
    returns_commands = returns.add_subparsers(dest="returns_command", required=True)
    returns_load = returns_commands.add_parser(
        "load", parents=[common], help="validate and load returns files, all or nothing per file"
    )
    returns_load.add_argument("files", nargs="+", type=Path)
    returns_load.add_argument(
        "--quarantine", action="store_true", help="move a rejected file to the quarantine folder"
    )
    _writer_wait_option(returns_load)
    returns_template = returns_commands.add_parser(
        "template", parents=[common], help="write the CSV and .xlsx templates"
    )
    returns_template.add_argument("--out", type=Path, help="folder (default: the bundled one)")
    returns_template.add_argument(
        "--kind",
        choices=("counts", "report_list", "requests"),
        default="counts",
        help="count returns (default), FOI report lists (a filled pack) or an FOI request log",
    )
    returns_commands.add_parser(
        "history", parents=[common], help="every returns file version loaded, newest last"
    )

    # --- analysts ---------------------------------------------------------------------------
    sql = command(
        "sql",
        "run one read-only query and print the result; it runs in a sandbox: a copy of the "
        "analyst tables (names of the deceased left out unless --with-names), no files, "
        "extensions or settings",
    )
    query = sql.add_mutually_exclusive_group(required=True)
    query.add_argument("query", nargs="?", help='SQL, e.g. "SELECT * FROM fct_reports LIMIT 5"')
    query.add_argument(
        "--file",
        type=Path,
        help="a .sql file, or a question name (q2_organisation_responses) from "
        "orchestration/analyst/questions",
    )
    sql.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="csv: text cells starting with = + - @ get a leading apostrophe (no formulas)",
    )
    sql.add_argument(
        "--var",
        type=_variable,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a DuckDB variable read with getvariable(), e.g. --var area_key=Essex; "
        "org_types, area_key, org_keys and recipient_sources take the words `pfdw report` takes "
        "(comma-separated lists); dates for since/until; --var as_named=true to show "
        "organisations as named at the time",
    )
    sql.add_argument("--max-rows", type=int, default=200, help="rows shown as a table")
    sql.add_argument("--with-names", action="store_true", help="keep columns naming the deceased")

    export = command(
        "export",
        "write every mart to Parquet and CSV + data dictionary (CSV text cells starting with "
        "= + - @ get a leading apostrophe, so no cell runs as a formula)",
    )
    export.add_argument("--out", type=Path, default=Path("export"), help="folder (default export/)")
    export.add_argument("--table", action="append", help="only this mart (repeatable)")
    export.add_argument("--with-names", action="store_true", help="include names of the deceased")

    report = command("report", "write a self-contained HTML report")
    from orchestration.analyst.options import add_scope_options  # standard library only

    for scoped in (report, export):
        add_scope_options(scoped, _date)
    report.add_argument("--out", type=Path, help="output (default reports/pfd-report-<scope>.html)")
    report.add_argument("--with-names", action="store_true", help="list names of the deceased")
    report.add_argument("--open", action="store_true", help="open the report in a browser")
    from orchestration.analyst.search_cli import add_search_options  # standard library only

    add_search_options(command("search", "full-text search of the report sections"), _date)

    docs = command(
        "docs",
        "build the dbt docs from a copy of the published warehouse and serve them with the GX"
        " Data Docs on 127.0.0.1 (dbt at /, Data Docs at /gx/)",
    )
    docs.add_argument("--port", type=int, default=8580, help="default 8580")
    docs.add_argument(
        "--no-serve", action="store_true", help="only write them (<data dir>/docs/dbt/)"
    )

    from orchestration.analyst.foi_cli import add_foi_commands  # standard library only

    add_foi_commands(command("foi", "FOI campaigns: `foi pack`, `foi status`"), common, _date)

    # --- tools whose own parser reads the rest of the line ------------------------------------
    for name, text in (
        ("snapshot", "the offline replica: `snapshot serve [--as-of DATE] [--port N] ...`,"
         " `snapshot fixtures [--out DIR]`"),
        ("bench", f"benchmarks: `bench [{'|'.join(BENCHES)}] [options]` (default: crawl, dbt,"
         " dagster and search in turn)"),
        ("quality", "precision/recall of recipient, area and theme rules on labelled samples"),
    ):  # fmt: skip
        tool = sub.add_parser(name, help=text, description=text, add_help=False)
        tool.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


def _writer_wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        help="while another run writes the warehouse, wait up to this long for it (default:"
        " $PFDW_WRITER_WAIT_S, else 0: refused at once, naming the run that writes)",
    )


def from_fault_options(parser: argparse.ArgumentParser) -> None:
    """The snapshot fault flags of ``collect --crawl-only`` (names from the crawl runner)."""
    from scrapers.crawl import FAULT_OPTIONS

    faults = parser.add_argument_group("snapshot faults (crawl only, offline snapshot)")
    for name, (flag, kind) in FAULT_OPTIONS.items():
        faults.add_argument(flag, dest=name, type=kind, help=f"FaultConfig.{name}")


# --- the pipeline ---------------------------------------------------------------------------


def data_dir(args) -> Path:
    return settings.locations(args.warehouse, args.data_dir)[1]


def warehouse(args) -> Path:
    return settings.locations(args.warehouse, args.data_dir)[0]


def command_run(args) -> int:
    from orchestration.defs.runs import run_job

    as_of = args.as_of.isoformat() if args.as_of else None
    return run_job(
        args.job,
        as_of,
        data_dir=data_dir(args),
        warehouse=warehouse(args),
        wait_s=args.wait,
        log_level="DEBUG" if args.verbose else "INFO",
    )


def command_ui(args) -> int:
    from orchestration.defs.runs import run_ui

    return run_ui(args.port, data_dir=data_dir(args), warehouse=warehouse(args))


def command_prepare(args) -> int:
    from orchestration.defs.runs import prepare

    print(f"dbt manifest ready; dagster home {prepare(data_dir(args))}")
    return 0


def _as_the_one_writer(args, job: str, work) -> int:
    """Run ``work(working_copy) -> exit status`` as the warehouse's one writer: on a working copy
    under the writer lock, published only when it returns 0 (a non-zero status or an exception
    leaves the published warehouse as it was). A busy warehouse is one line and exit 75."""
    import uuid

    from orchestration.warehouse import publish
    from orchestration.warehouse.writer_lock import EXIT_WRITER_BUSY

    run_id = f"{job.replace(' ', '-')}-{uuid.uuid4().hex[:12]}"
    try:
        with publish.writing(
            warehouse(args), run_id, wait_s=getattr(args, "wait", None), job=f"pfdw {job}"
        ) as session:
            status = work(session.working)
            session.publish = status == 0
            return status
    except publish.WriterBusyError as busy:
        print(f"pfdw {job}: {busy}", file=sys.stderr)
        return EXIT_WRITER_BUSY


def command_collect(args) -> int:
    from orchestration.sources import collect

    if args.crawl_only:
        return collect.crawl_only(args)
    runs_root = data_dir(args) / "runs"
    return _as_the_one_writer(
        args, "collect", lambda working: collect.collect(args, working, runs_root)
    )


def command_audit(args) -> int:
    if args.audit_command != "run":
        from orchestration.analyst.commands import command_audit as show_latest

        return show_latest(args)
    from expectations.config import AuditConfig
    from expectations.report import run_audit
    from orchestration.sources.returns.limits import display_name
    from orchestration.sources.returns.load import (
        ReturnsFileError,
        held_out_problems,
        load_returns_file,
        rebuild_models,
    )

    def load_and_rebuild(working: Path) -> int:
        checksums = []
        for path in args.returns:
            try:
                result = load_returns_file(path, working, data_dir(args))
            except ReturnsFileError as exc:
                print(f"REJECTED {display_name(str(path))}:\n{exc}", file=sys.stderr)
                return 1
            print(result.message)
            checksums.append(result.file_sha256)
        rebuild_models(working)
        # dbt resolves the names: a version with an unknown one is held out, nothing published.
        held_out = held_out_problems(working, checksums)
        if held_out:
            print("HELD OUT (names resolve to nothing):\n" + "\n".join(held_out), file=sys.stderr)
            return 1
        return 0

    config = AuditConfig.from_json_file(args.config) if args.config else AuditConfig()
    if args.returns:
        status = _as_the_one_writer(args, "audit run --returns", load_and_rebuild)
        if status:
            return status
    audit = run_audit(warehouse(args), data_dir(args), config, args.suite)
    for suite in audit.summary["suites"]:
        state = "passed" if suite["success"] else suite["severity"]
        failing = ", ".join(suite["failing_entities"][:10])
        print(f"{suite['suite']}: {state}" + (f" ({failing})" if failing else ""))
    for skipped in audit.summary["skipped_suites"]:
        print(f"{skipped['suite']}: skipped ({skipped['reason']})")
    print(f"summary:   {audit.folder / 'summary.md'}")
    if audit.docs_index:
        print(f"data docs: {audit.docs_index}")
    return 1 if audit.has_errors else 0


def command_returns(args) -> int:
    if args.returns_command == "template":
        from orchestration.sources.returns.templates import write_templates

        for path in write_templates(args.out, args.kind):
            print(f"wrote {path}")
        return 0
    if args.returns_command == "history":
        from orchestration.sources.returns.load import file_history

        for name, sha256, loaded_at, rows, current, superseded_by in file_history(warehouse(args)):
            state = "current" if current else f"superseded by {(superseded_by or '')[:12]}"
            print(f"{loaded_at}  {name}  {sha256[:12]}  {rows} rows  {state}")
        return 0
    return returns_load(args)


def returns_load(args) -> int:
    """Load returns files the way a run does: into a working copy under the writer lock, then
    publish it whole (nothing when no file was loaded). Another writer at work: one line, 75."""
    import uuid

    from orchestration.sources.returns import load as returns
    from orchestration.sources.returns.limits import display_name
    from orchestration.warehouse import publish
    from orchestration.warehouse.writer_lock import EXIT_WRITER_BUSY

    status = 0
    checksums: list[str] = []
    run_id = f"returns-load-{uuid.uuid4().hex[:12]}"
    try:
        with publish.writing(
            warehouse(args), run_id, wait_s=args.wait, job="pfdw returns load"
        ) as session:
            session.publish = False
            for path in args.files:
                try:
                    result = returns.load_returns_file(
                        path, session.working, data_dir(args), move_bad_file=args.quarantine
                    )
                except returns.ReturnsFileError as exc:
                    print(f"REJECTED {display_name(str(path))}:\n{exc}", file=sys.stderr)
                    status = 1
                    continue
                session.publish = session.publish or result.status == "loaded"
                print(result.message)
                checksums.append(result.file_sha256)
            # Names are resolved by dbt only: rebuild the returns models on what was loaded.
            held_out = (
                returns.resolve_loaded_names(session.working, checksums)
                if session.publish
                else returns.held_out_problems(session.working, checksums)
            )
            if held_out is None:
                print("names not resolved yet (the warehouse is not built): the next run does it")
            elif held_out:
                print("HELD OUT (loaded, but not reconciled: names that resolve to nothing):\n"
                      + "\n".join(held_out), file=sys.stderr)  # fmt: skip
                status = 1
    except (publish.WriterBusyError, RuntimeError) as error:  # busy, or the returns models failed
        print(f"pfdw returns load: {str(error).splitlines()[0]}; not published", file=sys.stderr)
        return EXIT_WRITER_BUSY if isinstance(error, publish.WriterBusyError) else 1
    return status


def command_foi(args) -> int:
    from orchestration.analyst.foi_cli import command_foi as foi

    return foi(args, warehouse(args))


def command_docs(args) -> int:
    from orchestration.warehouse.docs import DocsError, docs

    try:
        return docs(warehouse(args), data_dir(args), args.port, serve=not args.no_serve)
    except DocsError as error:
        print(f"pfdw docs: {error}", file=sys.stderr)
        return 1


def command_search(args) -> int:
    from orchestration.analyst.search_cli import command_search as search

    return search(args, warehouse(args))


def command_pass_through(args) -> int:
    import importlib

    rest = list(args.arguments)
    if args.command == "snapshot":
        if rest[:1] == ["fixtures"]:
            from scrapers.snapshot.fixtures import main as fixtures

            return fixtures(rest[1:])
        from scrapers.snapshot.server import main as serve

        return serve(rest)
    if args.command == "quality":
        from orchestration.bench.quality import main as quality

        return quality(rest)
    default = ["crawl", "dbt", "dagster", "search"]
    names = [rest.pop(0)] if rest[:1] and rest[0] in BENCHES else default
    for name in names:
        status = importlib.import_module(BENCHES[name]).main(rest)
        if status:
            return status
    return 0


def _analyst(name: str):
    """An analyst command: a filter naming nothing (or several things) is a usage error, exit 2
    with one line naming the accepted values; a reader that closes the pipe early (`| head`)
    ends the output quietly."""

    def command(args) -> int:
        from orchestration.analyst import commands
        from orchestration.analyst.scope import ScopeError

        try:
            return getattr(commands, f"command_{name}")(args)
        except ScopeError as error:
            print(f"pfdw {name}: {error}", file=sys.stderr)
            return 2
        except BrokenPipeError:
            from orchestration.analyst.output import silence_closed_stdout

            silence_closed_stdout()
            return 0

    return command


COMMANDS = {
    "run": command_run,
    "ui": command_ui,
    "prepare": command_prepare,
    "collect": command_collect,
    "audit": command_audit,
    "returns": command_returns,
    "sql": _analyst("sql"),
    "export": _analyst("export"),
    "report": _analyst("report"),
    "search": command_search,
    "foi": command_foi,
    "docs": command_docs,
    "snapshot": command_pass_through,
    "bench": command_pass_through,
    "quality": command_pass_through,
}


def main(argv: list[str] | None = None) -> int:
    from orchestration.analyst.audit_summary import NoAuditYet
    from orchestration.analyst.scope import ScopeError
    from orchestration.analyst.warehouse import WarehouseError

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # A pass-through tool's own options (``quality --warehouse X``, ``snapshot serve --help``)
    # are not pfdw's: the rest of the line goes to its parser whole and in order (argparse would
    # move options behind positionals and split an option from its value).
    if argv[:1] and argv[0] in PASS_THROUGH:
        args = argparse.Namespace(command=argv[0], arguments=argv[1:])
    else:
        args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (WarehouseError, ScopeError, NoAuditYet, ValueError, OSError) as error:
        print(f"pfdw {args.command}: {error}", file=sys.stderr)
        return 1 if not isinstance(error, NoAuditYet) else 2
