"""What every source's raw load shares: the run folder's run.json, the crawl bookkeeping tables
(``raw_runs.sql``) and the one transaction a run is loaded in.

A run folder (see ``scrapers.common.items``) is validated completely before the warehouse is
touched; then :func:`load_once` changes every table inside one transaction: loading the same run
twice is a no-op, a run older than one already loaded for the same spider is refused, and a
failure rolls everything back, so a load is all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from orchestration.warehouse import connection

T = TypeVar("T")

RUN_FILE = "run.json"
REQUIRED_RUN_KEYS = (
    "run_id",
    "spider",
    "mode",
    "source",
    "base_url",
    "logical_date",
    "started_at",
    "finished_at",
    "status",
)
# Written by every spider's load; dbt source ``crawl``.
BOOKKEEPING_TABLES = ("crawl_runs", "crawl_errors", "skipped_pages")


class RunNotLoadableError(Exception):
    """The run folder is not a finished crawl, or it is older than what is already loaded."""


class RawLoadError(Exception):
    """The run folder holds malformed data; nothing was loaded."""


def exec_sql(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> None:
    """Run a statement to its end (duckdb 2 refuses new work while a result is unread)."""
    con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()


def ensure_bookkeeping_schema(con: duckdb.DuckDBPyConnection) -> None:
    exec_sql(con, resources.files("orchestration.sources").joinpath("raw_runs.sql").read_text())


def new_run_dir(runs_root: Path, spider: str, now: datetime | None = None) -> Path:
    """A new run folder ``<runs root>/<spider>/<UTC stamp with microseconds>``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return Path(runs_root) / spider / stamp


def holds_rows(warehouse: Path, table: str, schema: str = "raw") -> bool:
    """Whether ``schema.table`` exists in the warehouse file and has at least one row."""
    if not Path(warehouse).exists():
        return False
    with connection.connect(warehouse, read_only=True) as con:
        if not connection.table_exists(con, schema, table):
            return False
        # Schema and table names come from this codebase, never from scraped text.
        sql = f'SELECT count(*) > 0 FROM "{schema}"."{table}"'  # noqa: S608
        return con.execute(sql).fetchall()[0][0]


# --------------------------------------------------------------------------- reading the folder


def latest_observations(
    items: list[dict[str, Any]], key: Callable[[dict[str, Any]], str] = lambda item: item["url"]
) -> list[dict[str, Any]]:
    """One item per key: if a run observed something twice, the later crawl wins (ties: the
    later line)."""
    latest: dict[str, dict[str, Any]] = {}
    for item in items:
        seen = latest.get(key(item))
        if seen is None or str(item["crawled_at"]) >= str(seen["crawled_at"]):
            latest[key(item)] = item
    return list(latest.values())


def json_column(value: Any) -> str:
    """A list or object from an item as JSON text for a JSON column (None -> [])."""
    return json.dumps(value if value is not None else [], ensure_ascii=False, sort_keys=True)


def parse_timestamp(value: Any, where: str, field: str) -> datetime:
    """An ISO timestamp as naive UTC, or a RawLoadError naming where it was."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise RawLoadError(f"{where}: {field} {value!r} is not an ISO timestamp") from exc
    return (
        parsed.replace(tzinfo=None)
        if parsed.tzinfo is None
        else (parsed - parsed.utcoffset()).replace(tzinfo=None)
    )


def utc(value: str) -> datetime:
    return parse_timestamp(value, RUN_FILE, "timestamp")


def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; a missing file is no rows."""
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RawLoadError(f"{path}:{line_no}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise RawLoadError(f"{path}:{line_no}: expected a JSON object")
            rows.append((line_no, row))
    return rows


def read_run_file(run_dir: Path, spider: str) -> dict[str, Any]:
    """The run folder's run.json, checked: finished, complete, and a run of ``spider``."""
    run_dir = Path(run_dir)
    run_file = run_dir / RUN_FILE
    if not run_file.exists():
        raise RunNotLoadableError(
            f"{run_dir}: no run.json, so the crawl did not finish (an interrupted crawl is never "
            "loaded; run the crawl again)"
        )
    try:
        run = json.loads(run_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RawLoadError(f"{run_file}: not valid JSON ({exc})") from exc
    if not isinstance(run, dict):
        raise RawLoadError(f"{run_file}: expected a JSON object")
    missing = [key for key in REQUIRED_RUN_KEYS if run.get(key) in (None, "")]
    if missing:
        raise RawLoadError(f"{run_file}: missing {', '.join(missing)}")
    if run["spider"] != spider:
        raise RawLoadError(
            f"{run_file}: spider is {run['spider']!r}, not {spider!r}; load it with"
            f" orchestration.sources.{run['spider']}"
        )
    if run["status"] != "finished":
        reason = run.get("failure_reason") or "no reason recorded"
        raise RunNotLoadableError(
            f"run {run['run_id']} has status {run['status']!r} and is not loaded: {reason}"
        )
    return run


# --------------------------------------------------------------------------- writing


def record_crawl_run(
    con: duckdb.DuckDBPyConnection,
    run: dict[str, Any],
    *,
    logical_date: date,
    not_modified: int,
    items_parsed: int,
    new_items: int,
    errors: int,
    skipped: int,
) -> None:
    """One row in raw.crawl_runs for a run being loaded (inside the caller's transaction)."""
    counts = run.get("counts") or {}
    exec_sql(
        con,
        """
        INSERT INTO raw.crawl_runs VALUES (
            ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)
        """,
        [
            str(run["run_id"]),
            str(run["spider"]),
            run["mode"],
            run["source"],
            run["base_url"],
            run.get("as_of"),
            logical_date,
            utc(run["started_at"]),
            utc(run["finished_at"]),
            counts.get("requests"),
            counts.get("pages_fetched"),
            counts.get("listing_pages"),
            counts.get("report_pages"),
            not_modified,
            items_parsed,
            new_items,
            errors,
            skipped,
            json.dumps(run.get("stats") or counts, sort_keys=True),
        ],
    )


def record_crawl_errors(
    con: duckdb.DuckDBPyConnection, run_id: str, spider: str, errors: pd.DataFrame
) -> None:
    """The run's crawl errors into raw.crawl_errors (inside the caller's transaction)."""
    con.register("staged_errors", errors)
    try:
        exec_sql(
            con,
            """
            INSERT INTO raw.crawl_errors
            SELECT ?, ?, url, stage, reason, http_status, attempts, crawled_at FROM staged_errors
            """,
            [run_id, spider],
        )
    finally:
        con.unregister("staged_errors")


def load_once(
    con: duckdb.DuckDBPyConnection,
    run: dict[str, Any],
    apply: Callable[[], T],
    staged_views: Iterable[str] = (),
) -> T | None:
    """Call ``apply`` (which writes the run's rows and its bookkeeping) in one transaction.

    Returns None, changing nothing, when the run is already loaded. Refuses a run that started
    before the newest run of the same spider already loaded (it would overwrite newer
    observations). Any failure rolls back every table and is raised as a RawLoadError naming the
    run (or as the RunNotLoadableError / RawLoadError it was). ``staged_views`` (DataFrames the
    caller registered) are unregistered whatever happens.
    """
    run_id, spider = str(run["run_id"]), str(run["spider"])
    started_at = parse_timestamp(run["started_at"], RUN_FILE, "started_at")
    exec_sql(con, "BEGIN TRANSACTION")
    open_transaction = True
    try:
        loaded_as = con.execute(
            "SELECT spider FROM raw.crawl_runs WHERE run_id = ?", [run_id]
        ).fetchall()
        if loaded_as:
            exec_sql(con, "ROLLBACK")
            open_transaction = False
            if loaded_as[0][0] != spider:
                raise RawLoadError(
                    f"run id {run_id} is already loaded for spider {loaded_as[0][0]!r}; "
                    "run folders must have distinct names"
                )
            return None
        newest = con.execute(
            "SELECT max(started_at) FROM raw.crawl_runs WHERE spider = ?", [spider]
        ).fetchall()[0][0]
        if newest is not None and started_at < newest:
            raise RunNotLoadableError(
                f"run {run_id} started at {started_at:%Y-%m-%d %H:%M:%S} UTC, before a run already "
                f"loaded ({newest:%Y-%m-%d %H:%M:%S} UTC); loading it would overwrite newer "
                "observations"
            )
        result = apply()
        exec_sql(con, "COMMIT")
        open_transaction = False
        return result
    except Exception as exc:
        if open_transaction:
            exec_sql(con, "ROLLBACK")
        if isinstance(exc, RunNotLoadableError | RawLoadError):
            raise
        raise RawLoadError(f"loading run {run_id} failed, nothing was loaded: {exc}") from exc
    finally:
        for view in staged_views:
            try:
                con.unregister(view)
            except Exception:  # noqa: S110 - a view that was never registered
                pass
