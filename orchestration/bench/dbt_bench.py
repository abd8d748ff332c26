"""dbt benchmark: prints figures, asserts nothing (``pfdw bench dbt``).

1. ``dbt build`` (every model, seed and test) on the full snapshot: wall time and peak memory of
   the dbt process (DuckDB runs inside it, so its peak resident set is the build's).
2. The same on the raw data replicated 50 times (about 300,000 reports): copy N of every report
   and document gets distinct URLs (``https://www.judiciary.uk/copy-N/...``), so nothing collapses
   onto the original rows; the other raw tables are copied once.

The raw data comes from ``--raw PATH`` (a warehouse whose ``raw`` schema holds a full crawl), or,
without it, from a full crawl of the offline snapshot into a temporary folder (about a minute).

Targets (issue 3): full snapshot 30 s or less; 50x scale 5 minutes or less with peak memory under
4 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.sources.judiciary_pfd.load import ensure_raw_schema
from orchestration.warehouse.dbt_cli import DBT_PROJECT_DIR, dbt_args, warehouse_env

REPLICATED_TABLES = ("judiciary_pfd__reports", "judiciary_pfd__documents")
URL_COLUMNS = {
    "judiciary_pfd__reports": ("report_url",),
    "judiciary_pfd__documents": ("report_url", "document_url"),
}
FULL_TARGET_SECONDS = 30
SCALE_TARGET_SECONDS = 300
SCALE_TARGET_PEAK_MB = 4096
AS_OF = "2026-03-01"


@dataclass(frozen=True)
class BuildRun:
    label: str
    reports: int
    wall_seconds: float
    peak_rss_mb: float
    returncode: int
    tail: str


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def replicate_raw(source: Path, target: Path, copies: int) -> int:
    """Write ``target`` with the raw schema of ``source``, its reports and documents ``copies``
    times (copy 0 as is, copy N under /copy-N/ URLs). Returns the number of report rows."""
    if copies < 1:
        raise ValueError(f"copies must be 1 or more, got {copies}")
    with duckdb.connect(str(target)) as connection:
        ensure_raw_schema(connection)
        connection.execute("ATTACH ? AS source_db (READ_ONLY)", [str(source)])
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM duckdb_tables() "
                "WHERE database_name = 'source_db' AND schema_name = 'raw'"
            ).fetchall()
        ]
        if "judiciary_pfd__reports" not in tables:
            raise ValueError(f"{source} has no raw.judiciary_pfd__reports table to replicate")
        for table in tables:
            exists = connection.execute(
                "SELECT count(*) FROM duckdb_tables() "
                "WHERE database_name = current_database() AND schema_name = 'raw' "
                "AND table_name = ?",
                [table],
            ).fetchone()[0]
            source_name = f"source_db.raw.{_quoted(table)}"
            if not exists:
                connection.execute(
                    f"CREATE TABLE raw.{_quoted(table)} AS SELECT * FROM {source_name}"  # noqa: S608 - catalog names, quoted
                )
                continue
            if table not in REPLICATED_TABLES:
                connection.execute(f"INSERT INTO raw.{_quoted(table)} SELECT * FROM {source_name}")  # noqa: S608 - catalog names, quoted
                continue
            columns = [
                row[0]
                for row in connection.execute(
                    "SELECT column_name FROM duckdb_columns() "
                    "WHERE database_name = 'source_db' AND schema_name = 'raw' AND table_name = ?",
                    [table],
                ).fetchall()
            ]
            select_list = ", ".join(
                (
                    f"CASE WHEN copy_number = 0 THEN {_quoted(column)} ELSE regexp_replace("
                    f"{_quoted(column)}, '^(https?://[^/]+/)', '\\1copy-' || copy_number || '/') "
                    f"END AS {_quoted(column)}"
                )
                if column in URL_COLUMNS[table]
                else _quoted(column)
                for column in columns
            )
            column_list = ", ".join(_quoted(column) for column in columns)
            connection.execute(
                f"INSERT INTO raw.{_quoted(table)} ({column_list}) "  # noqa: S608 - names from the catalog
                f"SELECT {select_list} FROM {source_name}, range(?) AS copies(copy_number)",
                [copies],
            )
        connection.execute("DETACH source_db")
        return connection.execute("SELECT count(*) FROM raw.judiciary_pfd__reports").fetchone()[0]


def timed_dbt_build(
    warehouse: Path, work_dir: Path, label: str, reports: int, project_dir: Path = DBT_PROJECT_DIR
) -> BuildRun:
    """``dbt build`` in a child process; peak memory from that child's own rusage."""
    args = dbt_args(
        ["build"], work_dir=work_dir, dbt_vars=f"{{as_of: '{AS_OF}'}}", project_dir=project_dir
    )
    env = warehouse_env(warehouse)
    output = work_dir / f"{label}.out"
    started = time.monotonic()
    with output.open("w") as handle:
        process = subprocess.Popen(args, cwd=work_dir, env=env, stdout=handle, stderr=handle)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = output.read_text().splitlines()
    return BuildRun(
        label=label,
        reports=reports,
        wall_seconds=wall,
        peak_rss_mb=usage.ru_maxrss / 1024,
        returncode=process.returncode,
        tail="\n".join(lines[-3:]),
    )


def crawl_snapshot(work_dir: Path) -> Path:
    from orchestration.sources.judiciary_pfd.collect import (
        collect_judiciary_pfd,  # starts Scrapy: keep it lazy
    )

    # not "raw.duckdb": a catalog named raw would clash with the raw schema
    warehouse = work_dir / "crawl.duckdb"
    collect_judiciary_pfd(
        warehouse=warehouse,
        runs_root=work_dir / "runs",
        mode="full",
        crawl_options={"settings_overrides": {"LOG_LEVEL": "WARNING"}},
    )
    return warehouse


def _verdict(run: BuildRun, seconds: float, peak_mb: float | None = None) -> str:
    within = run.returncode == 0 and run.wall_seconds <= seconds
    if peak_mb is not None:
        within = within and run.peak_rss_mb < peak_mb
    return "within target" if within else "OVER TARGET"


def print_run(run: BuildRun, seconds: float, peak_mb: float | None = None) -> None:
    status = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode})"
    target = f"target <= {seconds} s" + (f", < {peak_mb / 1024:.0f} GB" if peak_mb else "")
    print(
        f"{run.label}: {run.reports:,} reports, dbt build {status}: "
        f"wall {run.wall_seconds:.1f} s, peak memory {run.peak_rss_mb:,.0f} MB "
        f"({target}: {_verdict(run, seconds, peak_mb)})"
    )
    if run.returncode != 0:
        print("  " + run.tail.replace("\n", "\n  "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pfdw bench dbt", description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=None, help="warehouse holding a full raw crawl")
    parser.add_argument(
        "--copies", type=int, default=50, help="replication factor of the scale run"
    )
    parser.add_argument("--skip-scale", action="store_true", help="only the full-snapshot build")
    parser.add_argument("--work-dir", type=Path, default=None, help="keep the warehouses here")
    parser.add_argument("--project-dir", type=Path, default=DBT_PROJECT_DIR, help="dbt project")
    args = parser.parse_args(argv)
    if args.raw is not None and not args.raw.exists():
        parser.error(f"--raw {args.raw} does not exist")

    with tempfile.TemporaryDirectory(prefix="pfdw-dbt-bench-") as temporary:
        work_dir = args.work_dir or Path(temporary)
        work_dir.mkdir(parents=True, exist_ok=True)
        raw = args.raw or crawl_snapshot(work_dir)

        full = work_dir / "full.duckdb"
        full.unlink(missing_ok=True)
        reports = replicate_raw(raw, full, copies=1)
        print_run(
            timed_dbt_build(full, work_dir, "full snapshot", reports, args.project_dir),
            FULL_TARGET_SECONDS,
        )

        if not args.skip_scale:
            scaled = work_dir / f"scale_{args.copies}x.duckdb"
            scaled.unlink(missing_ok=True)
            started = time.monotonic()
            reports = replicate_raw(raw, scaled, copies=args.copies)
            print(f"(raw data replicated {args.copies}x in {time.monotonic() - started:.1f} s)")
            run = timed_dbt_build(
                scaled, work_dir, f"{args.copies}x scale", reports, args.project_dir
            )
            print_run(run, SCALE_TARGET_SECONDS, SCALE_TARGET_PEAK_MB)
    return 0
