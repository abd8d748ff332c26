"""HSSIB safety recommendations: load a finished ``hssib_recommendations`` run folder into the raw
table, all or nothing (the crawl and the collect step are in ``collect``).

Raw table ``raw.hssib_recommendations__recommendations`` holds the latest observation of each
recommendation page (natural key ``coalesce(log_url, page_path)``: the log URL when the page
declares its hssib.org.uk address, else the path the page was served at), with when it was first
and last seen and last changed, list fields as JSON, and the full item. The run is recorded in the
shared ``raw.crawl_runs`` table (and its errors in ``raw.crawl_errors``), so loading the same run
twice is a no-op and a run older than one already loaded is refused, as for judiciary_pfd
(``orchestration.sources.raw_runs``, whose transaction and error classes this module uses).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.sources.raw_runs import (
    RawLoadError,
    ensure_bookkeeping_schema,
    exec_sql,
    latest_observations,
    load_once,
    parse_timestamp,
    read_jsonl,
    read_run_file,
    record_crawl_errors,
    record_crawl_run,
)
from scrapers.hssib_recommendations import CANONICAL_ORIGIN
from scrapers.hssib_recommendations.selectors import CAPTURE_DATE_BASES

log = logging.getLogger(__name__)

SPIDER = "hssib_recommendations"
RAW_TABLE = "raw.hssib_recommendations__recommendations"
RECOMMENDATIONS_FILE = "recommendations.jsonl"
ERRORS_FILE = "errors.jsonl"
SOURCES = ("snapshot", "live")

# Fields every item must carry (a value, possibly an empty list); None is refused.
REQUIRED_ITEM_KEYS = ("page_path", "recommendation_text", "recipients", "crawled_at")
LIST_FIELDS = ("recipients", "planned_actions", "additional_sections", "parse_warnings")
DATE_FIELDS = ("recommendation_date", "response_received_date", "captured_on")
ACTION_KEYS = (
    "position",
    "text",
    "description",
    "due_text",
    "due_date",
    "due_rule",
    "additional_comments",
)
# Fields that change on every fetch without the page changing; left out of the content hash.
VOLATILE_FIELDS = ("crawled_at", "http_etag", "listing_page")
# The capture a page states is part of what it shows, so it is hashed: a page that comes to state
# a later capture has changed. These fields were added after the first crawls; left out of the
# hash when null, so a live page (which states none) keeps the hash it had before they existed.
HASHED_WHEN_SET = ("captured_on", "capture_date_basis")

TEXT_COLUMNS = (
    "log_url",
    "page_path",
    "source_page_kind",
    "page_title",
    "investigation_title",
    "investigation_url",
    "investigation_source",
    "reference",
    "reference_source",
    "recommendation_date_raw",
    "recipient_heading",
    "recommendation_prefix",
    "recipient_phrase",
    "recipients_source",
    "recommendation_text",
    "response_text",
    "closure_note",
    "actions_heading",
    "response_received_raw",
    "truncated_in",
    "capture_date_basis",
    "http_etag",
)

COLUMNS = (
    "recommendation_key",
    "log_url",
    "page_path",
    "source_page_kind",
    "listing_page",
    "page_title",
    "investigation_title",
    "investigation_url",
    "investigation_source",
    "reference",
    "reference_source",
    "recommendation_date_raw",
    "recommendation_date",
    "recipient_heading",
    "recommendation_prefix",
    "recipient_phrase",
    "recipients",
    "recipients_source",
    "recommendation_text",
    "response_text",
    "closure_note",
    "actions_heading",
    "planned_actions",
    "links_label_present",
    "additional_sections",
    "response_received_raw",
    "response_received_date",
    "truncated",
    "truncated_in",
    "captured_on",
    "capture_date_basis",
    "parse_warnings",
    "http_etag",
    "content_hash",
    "crawled_at",
    "item",
)


@dataclass(frozen=True)
class HssibLoadResult:
    run_id: str
    already_loaded: bool
    recommendations_in_run: int = 0
    new_recommendations: int = 0
    changed_recommendations: int = 0
    unchanged_recommendations: int = 0
    errors: int = 0


def ensure_hssib_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the shared raw bookkeeping tables and the HSSIB raw table if missing (idempotent).

    The pipeline calls this before ``dbt build`` so that a warehouse that never crawled HSSIB
    still has the (empty) source table the HSSIB models read."""
    ensure_bookkeeping_schema(con)
    exec_sql(con, resources.files(__package__).joinpath("raw_schema.sql").read_text())


# --------------------------------------------------------------------------- reading the folder


def read_hssib_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict]]:
    """Read and validate a finished hssib run folder: (run, recommendations, errors).

    Raises RunNotLoadableError or RawLoadError (naming file:line) before anything is written."""
    run_dir = Path(run_dir)
    run = read_run_file(run_dir, SPIDER)
    path = run_dir / RECOMMENDATIONS_FILE
    if not path.exists():
        raise RawLoadError(f"{path}: missing; a finished {SPIDER} run always writes it")
    recommendations = []
    for line_no, row in read_jsonl(path):
        validate_item(row, f"{path}:{line_no}")
        recommendations.append(row)
    errors = []
    for line_no, row in read_jsonl(run_dir / ERRORS_FILE):
        where = f"{run_dir / ERRORS_FILE}:{line_no}"
        absent = [key for key in ("url", "stage", "reason", "crawled_at") if row.get(key) is None]
        if absent:
            raise RawLoadError(f"{where}: missing {', '.join(absent)}")
        parse_timestamp(row["crawled_at"], where, "crawled_at")
        errors.append(row)
    return run, recommendations, errors


def _iso_date(value: Any, where: str, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise RawLoadError(f"{where}: {field} {value!r} is not an ISO date (YYYY-MM-DD)") from exc


def validate_item(row: dict[str, Any], where: str) -> None:
    """Raise RawLoadError naming ``where`` (file:line) and the field if an item is malformed."""
    missing = [key for key in REQUIRED_ITEM_KEYS if row.get(key) is None]
    if missing:
        raise RawLoadError(f"{where}: missing {', '.join(missing)}")
    page_path = row["page_path"]
    if not isinstance(page_path, str) or not page_path.startswith("/"):
        raise RawLoadError(f"{where}: page_path {page_path!r} is not a path starting with '/'")
    for field in ("log_url", "investigation_url"):
        url = row.get(field)
        if url is not None and (not isinstance(url, str) or not url.startswith(CANONICAL_ORIGIN)):
            raise RawLoadError(
                f"{where}: {field} {url!r} is not a canonical {CANONICAL_ORIGIN} URL"
            )
    for field in TEXT_COLUMNS:
        value = row.get(field)
        if value is not None and not isinstance(value, str):
            raise RawLoadError(f"{where}: {field} must be text or null, got {type(value).__name__}")
    if not isinstance(row["recommendation_text"], str) or not row["recommendation_text"].strip():
        raise RawLoadError(f"{where}: recommendation_text is empty")
    for field in LIST_FIELDS:
        value = row.get(field)
        if value is not None and not isinstance(value, list):
            raise RawLoadError(f"{where}: {field} must be a list, got {type(value).__name__}")
    if not all(isinstance(name, str) and name.strip() for name in row["recipients"]):
        raise RawLoadError(f"{where}: recipients must be non-empty strings")
    for field in DATE_FIELDS:
        _iso_date(row.get(field), where, field)
    for index, action in enumerate(row.get("planned_actions") or [], start=1):
        if not isinstance(action, dict):
            raise RawLoadError(f"{where}: planned_actions[{index}] must be an object")
        unknown = set(action) - set(ACTION_KEYS)
        if unknown:
            raise RawLoadError(
                f"{where}: planned_actions[{index}] has unknown keys {sorted(unknown)}"
            )
        if not isinstance(action.get("position"), int) or not isinstance(action.get("text"), str):
            raise RawLoadError(
                f"{where}: planned_actions[{index}] needs an integer position and a text"
            )
        _iso_date(action.get("due_date"), where, f"planned_actions[{index}].due_date")
    if not isinstance(row.get("truncated", False), bool):
        raise RawLoadError(f"{where}: truncated must be true or false")
    listing_page = row.get("listing_page")
    if listing_page is not None and not isinstance(listing_page, int):
        raise RawLoadError(f"{where}: listing_page must be an integer or null")
    _validate_capture(where, row.get("captured_on"), row.get("capture_date_basis"))
    parse_timestamp(row["crawled_at"], where, "crawled_at")


def _validate_capture(where: str, day: Any, basis: Any) -> None:
    """Both capture fields or neither (the date was checked as an ISO date with the others)."""
    if (day is None) != (basis is None):
        raise RawLoadError(
            f"{where}: captured_on {day!r} and capture_date_basis {basis!r} must both be set "
            "or both be null"
        )
    if basis is not None and basis not in CAPTURE_DATE_BASES:
        raise RawLoadError(
            f"{where}: capture_date_basis {basis!r} is not one of {sorted(CAPTURE_DATE_BASES)}"
        )


def recommendation_key(item: dict[str, Any]) -> str:
    return item.get("log_url") or item["page_path"]


def content_hash(item: dict[str, Any]) -> str:
    stable = {
        key: value
        for key, value in item.items()
        if key not in VOLATILE_FIELDS and not (key in HASHED_WHEN_SET and value is None)
    }
    payload = json.dumps(stable, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value if value is not None else [], ensure_ascii=False, sort_keys=True)


def recommendation_frame(items: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per natural key; if a page was read twice in a run, the later fetch wins."""
    rows = []
    for item in latest_observations(items, key=recommendation_key):
        key = recommendation_key(item)
        row: dict[str, Any] = {column: item.get(column) for column in TEXT_COLUMNS}
        row.update(
            recommendation_key=key,
            listing_page=item.get("listing_page"),
            recommendation_date=_iso_date(item.get("recommendation_date"), key, "date"),
            response_received_date=_iso_date(item.get("response_received_date"), key, "date"),
            captured_on=_iso_date(item.get("captured_on"), key, "captured_on"),
            links_label_present=item.get("links_label_present"),
            truncated=bool(item.get("truncated", False)),
            content_hash=content_hash(item),
            crawled_at=parse_timestamp(item["crawled_at"], key, "crawled_at"),
            item=json.dumps(item, ensure_ascii=False, sort_keys=True),
            **{field: _json(item.get(field)) for field in LIST_FIELDS},
        )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype({"listing_page": "Int64", "links_label_present": "boolean"})


def _error_frame(errors: list[dict[str, Any]]) -> pd.DataFrame:
    columns = ["url", "stage", "reason", "http_status", "attempts", "crawled_at"]
    records = []
    for row in errors:
        record = {column: row.get(column) for column in columns}
        record["crawled_at"] = parse_timestamp(row["crawled_at"], row["url"], "crawled_at")
        records.append(record)
    frame = pd.DataFrame(records, columns=columns)
    return frame.astype({"http_status": "Int64", "attempts": "Int64"})


# --------------------------------------------------------------------------- loading

_STAGED = ("staged_hssib_recommendations",)


def load_hssib_run(con: duckdb.DuckDBPyConnection, run_dir: Path) -> HssibLoadResult:
    """Load one finished hssib run folder in one transaction. A second load of it is a no-op."""
    run, items, errors = read_hssib_run(run_dir)
    run_id = str(run["run_id"])
    logical_date = date.fromisoformat(str(run["logical_date"]))
    staged = recommendation_frame(items)
    staged_errors = _error_frame(errors)

    ensure_hssib_schema(con)

    def apply() -> tuple[int, int]:
        con.register("staged_hssib_recommendations", staged)
        new_count, changed_count = con.execute(
            # Only module constants are formatted in; scraped values are never in the SQL text.
            f"""
            SELECT
                count(*) FILTER (WHERE r.recommendation_key IS NULL),
                count(*) FILTER (WHERE r.recommendation_key IS NOT NULL
                                 AND r.content_hash <> s.content_hash)
            FROM staged_hssib_recommendations s
            LEFT JOIN {RAW_TABLE} r USING (recommendation_key)
            """  # noqa: S608
        ).fetchall()[0]
        _upsert(con, run_id, logical_date)
        record_crawl_errors(con, run_id, SPIDER, staged_errors)
        record_crawl_run(
            con,
            run,
            logical_date=logical_date,
            not_modified=(run.get("counts") or {}).get("not_modified", 0),
            items_parsed=len(staged),
            new_items=int(new_count),
            errors=len(staged_errors),
            skipped=(run.get("counts") or {}).get("skipped", 0),
        )
        return int(new_count), int(changed_count)

    counts = load_once(con, run, apply, _STAGED)
    if counts is None:
        return HssibLoadResult(run_id=run_id, already_loaded=True)
    new_count, changed_count = counts
    return HssibLoadResult(
        run_id=run_id,
        already_loaded=False,
        recommendations_in_run=len(staged),
        new_recommendations=int(new_count),
        changed_recommendations=int(changed_count),
        unchanged_recommendations=len(staged) - int(new_count) - int(changed_count),
        errors=len(staged_errors),
    )


def _upsert(con: duckdb.DuckDBPyConnection, run_id: str, logical_date: date) -> None:
    # Latest observation wins; last_changed_at moves only when the content changed.
    list_columns = set(LIST_FIELDS) | {"item"}
    select_list = ", ".join(
        f"{column}::JSON" if column in list_columns else column for column in COLUMNS
    )
    insert_columns = ", ".join(COLUMNS)
    updates = ",\n            ".join(
        f"{column} = excluded.{column}"
        for column in COLUMNS
        if column not in ("recommendation_key", "content_hash", "listing_page")
    )
    exec_sql(
        con,
        # Only module constants (table and column names) are formatted into the SQL text.
        f"""
        INSERT INTO {RAW_TABLE} AS r (
            {insert_columns}, first_seen_at, last_seen_at, last_changed_at,
            first_seen_run_id, last_seen_run_id, first_seen_on, last_seen_on)
        SELECT {select_list}, crawled_at, crawled_at, crawled_at,
               $run_id, $run_id, $logical_date, $logical_date
        FROM staged_hssib_recommendations
        ON CONFLICT (recommendation_key) DO UPDATE SET
            {updates},
            last_changed_at = CASE WHEN r.content_hash <> excluded.content_hash
                                   THEN excluded.last_seen_at ELSE r.last_changed_at END,
            content_hash = excluded.content_hash,
            listing_page = coalesce(excluded.listing_page, r.listing_page),
            last_seen_at = excluded.last_seen_at,
            last_seen_run_id = excluded.last_seen_run_id,
            last_seen_on = excluded.last_seen_on
        """,  # noqa: S608
        {"run_id": run_id, "logical_date": logical_date},
    )
