"""Load a finished judiciary_pfd run folder into the DuckDB raw tables, all or nothing.

A run folder (see ``scrapers.common.items``) is validated completely before the warehouse is
touched; then every table is changed inside one transaction (``orchestration.sources.raw_runs``).
Loading the same run twice is a no-op, and a run older than one already loaded is refused, so the
raw tables always hold the latest observation
of each report page plus the history of when each report, version and document was first and last
seen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.sources.judiciary_pfd.load_texts import apply_texts, text_frame, validate_text
from orchestration.sources.raw_runs import (
    RawLoadError,
    ensure_bookkeeping_schema,
    exec_sql,
    json_column,
    latest_observations,
    load_once,
    parse_timestamp,
    read_jsonl,
    read_run_file,
    record_crawl_errors,
    record_crawl_run,
)
from scrapers.judiciary_pfd import CANONICAL_ORIGIN
from scrapers.judiciary_pfd.selectors import CAPTURE_KINDS

SPIDER = "judiciary_pfd"

HEADER_FIELDS = (
    "date_of_report",
    "ref",
    "deceased_name",
    "coroner_name",
    "coroner_area",
    "category",
    "sent_to",
)
DOCUMENT_KINDS = {"report", "response", "other"}
REQUIRED_ITEM_KEYS = {
    "reports.jsonl": ("url", "header", "documents", "content_hash", "crawled_at"),
    "not_modified.jsonl": ("url", "crawled_at"),
    "skipped.jsonl": ("url", "reason", "crawled_at"),
    "errors.jsonl": ("url", "stage", "reason", "crawled_at"),
    "report_texts.jsonl": (
        "url",
        "text_source",
        "text_status",
        "sections",
        "content_hash",
        "crawled_at",
    ),
}


@dataclass(frozen=True)
class LoadResult:
    run_id: str
    already_loaded: bool
    reports_in_run: int = 0
    new_reports: int = 0
    changed_reports: int = 0
    unchanged_reports: int = 0
    not_modified: int = 0
    new_documents: int = 0
    report_texts: int = 0  # report texts read in this run
    changed_report_texts: int = 0  # of which new, or different from the one held
    errors: int = 0
    skipped: int = 0


def raw_schema_sql() -> str:
    return resources.files(__package__).joinpath("raw_schema.sql").read_text()


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The crawl bookkeeping tables and this source's raw tables, if missing (idempotent)."""
    ensure_bookkeeping_schema(con)
    exec_sql(con, raw_schema_sql())


# --------------------------------------------------------------------------- reading the folder


def read_run(run_dir: Path) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Read and validate a run folder. Raises before anything is written."""
    run_dir = Path(run_dir)
    run = read_run_file(run_dir, SPIDER)
    items = {name: read_jsonl(run_dir / name) for name in REQUIRED_ITEM_KEYS}
    for name, rows in items.items():
        for line_no, row in rows:
            _validate_item(run_dir / name, line_no, name, row)
    return run, {name: [row for _, row in rows] for name, rows in items.items()}


def _validate_item(path: Path, line_no: int, name: str, row: dict[str, Any]) -> None:
    where = f"{path}:{line_no}"
    missing = [key for key in REQUIRED_ITEM_KEYS[name] if row.get(key) is None]
    if missing:
        raise RawLoadError(f"{where}: missing {', '.join(missing)}")
    url = row["url"]
    if not isinstance(url, str) or not url.startswith(CANONICAL_ORIGIN + "/"):
        raise RawLoadError(f"{where}: url {url!r} is not a canonical {CANONICAL_ORIGIN} URL")
    parse_timestamp(row["crawled_at"], where, "crawled_at")
    if name == "report_texts.jsonl":
        validate_text(where, row)
    if name != "reports.jsonl":
        return
    header = row["header"]
    if not isinstance(header, dict):
        raise RawLoadError(f"{where}: header must be an object")
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise RawLoadError(f"{where}: unknown header fields {sorted(unknown)}")
    if not isinstance(row["documents"], list):
        raise RawLoadError(f"{where}: documents must be a list")
    for position, doc in enumerate(row["documents"]):
        if not isinstance(doc, dict) or not isinstance(doc.get("url"), str):
            raise RawLoadError(f"{where}: document {position} has no url")
        if doc.get("kind") not in DOCUMENT_KINDS:
            raise RawLoadError(
                f"{where}: document {doc['url']} has kind {doc.get('kind')!r}, "
                f"expected one of {sorted(DOCUMENT_KINDS)}"
            )
    _validate_capture(where, row.get("capture_kind"), row.get("captured_on"))


def _validate_capture(where: str, kind: Any, day: Any) -> None:
    """Both capture fields or neither; a kind the replica states and an ISO date."""
    if kind is None and day is None:
        return
    if kind not in CAPTURE_KINDS:
        raise RawLoadError(
            f"{where}: capture_kind {kind!r} is not one of {sorted(CAPTURE_KINDS)} (or null)"
        )
    try:
        date.fromisoformat(str(day))
    except ValueError:
        raise RawLoadError(f"{where}: captured_on {day!r} is not an ISO date") from None


# --------------------------------------------------------------------------- frames


def _report_frame(reports: list[dict[str, Any]]) -> pd.DataFrame:
    # One observation per URL: if a page was fetched twice, the later fetch wins.
    rows = []
    for item in latest_observations(reports):
        header = item.get("header") or {}
        rows.append(
            {
                "report_url": item["url"],
                "page_title": item.get("page_title"),
                "date_added_raw": item.get("date_added_raw"),
                "date_added_text": item.get("date_added_text"),
                **{f"{field}_raw": header.get(field) for field in HEADER_FIELDS},
                "header_labels": json_column(item.get("header_labels") or {}),
                "category_pills": json_column(item.get("category_pills")),
                "report_sections": json_column(item.get("report_sections")),
                "parse_warnings": json_column(item.get("parse_warnings")),
                "content_hash": item["content_hash"],
                "http_etag": item.get("http_etag"),
                "http_last_modified": item.get("http_last_modified"),
                "listing_page": item.get("listing_page"),
                "capture_kind": item.get("capture_kind"),
                "captured_on": item.get("captured_on"),
                "crawled_at": parse_timestamp(item["crawled_at"], item["url"], "crawled_at"),
                "item": json.dumps(item, ensure_ascii=False, sort_keys=True),
            }
        )
    columns = [
        "report_url",
        "page_title",
        "date_added_raw",
        "date_added_text",
        *(f"{field}_raw" for field in HEADER_FIELDS),
        "header_labels",
        "category_pills",
        "report_sections",
        "parse_warnings",
        "content_hash",
        "http_etag",
        "http_last_modified",
        "listing_page",
        "capture_kind",
        "captured_on",
        "crawled_at",
        "item",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"listing_page": "Int64"})


def _document_frame(reports: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for item in reports:
        seen: set[str] = set()
        for position, doc in enumerate(item.get("documents") or []):
            if doc["url"] in seen:
                continue
            seen.add(doc["url"])
            rows.append(
                {
                    "report_url": item["url"],
                    "document_url": doc["url"],
                    "link_text": doc.get("link_text"),
                    "file_name": doc.get("file_name"),
                    "upload_year": doc.get("upload_year"),
                    "upload_month": doc.get("upload_month"),
                    "kind": doc["kind"],
                    "position": doc.get("position", position),
                    "link_source": doc.get("source"),
                    "crawled_at": parse_timestamp(item["crawled_at"], item["url"], "crawled_at"),
                }
            )
    columns = [
        "report_url",
        "document_url",
        "link_text",
        "file_name",
        "upload_year",
        "upload_month",
        "kind",
        "position",
        "link_source",
        "crawled_at",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"upload_year": "Int64", "upload_month": "Int64", "position": "Int64"})


def _simple_frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    records = []
    for row in rows:
        record = {column: row.get(column) for column in columns}
        record["crawled_at"] = parse_timestamp(row["crawled_at"], row["url"], "crawled_at")
        records.append(record)
    return pd.DataFrame(records, columns=columns)


# --------------------------------------------------------------------------- loading


def load_run(con: duckdb.DuckDBPyConnection, run_dir: Path) -> LoadResult:
    """Load one finished run folder. All or nothing; a second load of the same run is a no-op."""
    run, items = read_run(run_dir)
    run_id = str(run["run_id"])
    logical_date = date.fromisoformat(str(run["logical_date"]))

    reports = _report_frame(items["reports.jsonl"])
    documents = _document_frame(items["reports.jsonl"])
    texts = text_frame(items["report_texts.jsonl"])
    not_modified = _simple_frame(
        items["not_modified.jsonl"], ["url", "crawled_at", "http_etag", "http_last_modified"]
    )
    errors = _simple_frame(
        items["errors.jsonl"], ["url", "stage", "reason", "http_status", "attempts", "crawled_at"]
    ).astype({"http_status": "Int64", "attempts": "Int64"})
    skipped = _simple_frame(items["skipped.jsonl"], ["url", "reason", "crawled_at"])

    ensure_raw_schema(con)

    def apply() -> dict[str, int]:
        counts = _apply(con, run_id, logical_date, reports, documents, not_modified)
        counts["changed_report_texts"] = apply_texts(con, run_id, texts)
        record_crawl_errors(con, run_id, SPIDER, errors)
        con.register("staged_skipped", skipped)
        exec_sql(
            con,
            "INSERT INTO raw.skipped_pages\n"
            "SELECT ?, ?, url, reason, crawled_at FROM staged_skipped",
            [run_id, SPIDER],
        )
        record_crawl_run(
            con,
            run,
            logical_date=logical_date,
            not_modified=len(not_modified),
            items_parsed=len(reports),
            new_items=counts["new_reports"],
            errors=len(errors),
            skipped=len(skipped),
        )
        return counts

    staged = (
        "staged_reports",
        "staged_documents",
        "staged_not_modified",
        "staged_skipped",
        "staged_texts",
    )
    counts = load_once(con, run, apply, staged)
    if counts is None:
        return LoadResult(run_id=run_id, already_loaded=True)
    return LoadResult(
        run_id=run_id,
        already_loaded=False,
        reports_in_run=len(reports),
        new_reports=counts["new_reports"],
        changed_reports=counts["changed_reports"],
        unchanged_reports=len(reports) - counts["new_reports"] - counts["changed_reports"],
        not_modified=len(not_modified),
        new_documents=counts["new_documents"],
        report_texts=len(texts),
        changed_report_texts=counts["changed_report_texts"],
        errors=len(errors),
        skipped=len(skipped),
    )


def _apply(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    logical_date: date,
    reports: pd.DataFrame,
    documents: pd.DataFrame,
    not_modified: pd.DataFrame,
) -> dict[str, int]:
    con.register("staged_reports", reports)
    con.register("staged_documents", documents)
    con.register("staged_not_modified", not_modified)

    new_reports, changed_reports = con.execute(
        """
        SELECT
            count(*) FILTER (WHERE r.report_url IS NULL),
            count(*) FILTER (WHERE r.report_url IS NOT NULL AND r.content_hash <> s.content_hash)
        FROM staged_reports s LEFT JOIN raw.judiciary_pfd__reports r USING (report_url)
        """
    ).fetchall()[0]
    new_documents = con.execute(
        """
        SELECT count(*) FROM staged_documents s
        LEFT JOIN raw.judiciary_pfd__documents d USING (report_url, document_url)
        WHERE d.report_url IS NULL
        """
    ).fetchall()[0][0]

    # Reports: latest observation wins; last_changed_at moves only when the content changed.
    exec_sql(
        con,
        """
        INSERT INTO raw.judiciary_pfd__reports AS r (
            report_url, page_title, date_added_raw, date_added_text, date_of_report_raw,
            ref_raw, deceased_name_raw, coroner_name_raw, coroner_area_raw, category_raw,
            sent_to_raw, header_labels, category_pills, report_sections, parse_warnings,
            content_hash, http_etag, http_last_modified, listing_page, first_seen_at,
            last_seen_at, last_changed_at, first_seen_run_id, last_seen_run_id, first_seen_on,
            last_fetched_on, capture_kind, captured_on
        )
        SELECT report_url, page_title, date_added_raw, date_added_text, date_of_report_raw,
               ref_raw, deceased_name_raw, coroner_name_raw, coroner_area_raw, category_raw,
               sent_to_raw, header_labels::JSON, category_pills::JSON, report_sections::JSON,
               parse_warnings::JSON, content_hash, http_etag, http_last_modified, listing_page,
               crawled_at, crawled_at, crawled_at, $run_id, $run_id, $logical_date, $logical_date,
               capture_kind, CAST(captured_on AS DATE)
        FROM staged_reports
        ON CONFLICT (report_url) DO UPDATE SET
            page_title = excluded.page_title,
            date_added_raw = excluded.date_added_raw,
            date_added_text = excluded.date_added_text,
            date_of_report_raw = excluded.date_of_report_raw,
            ref_raw = excluded.ref_raw,
            deceased_name_raw = excluded.deceased_name_raw,
            coroner_name_raw = excluded.coroner_name_raw,
            coroner_area_raw = excluded.coroner_area_raw,
            category_raw = excluded.category_raw,
            sent_to_raw = excluded.sent_to_raw,
            header_labels = excluded.header_labels,
            category_pills = excluded.category_pills,
            report_sections = excluded.report_sections,
            parse_warnings = excluded.parse_warnings,
            last_changed_at = CASE WHEN r.content_hash <> excluded.content_hash
                                   THEN excluded.last_seen_at ELSE r.last_changed_at END,
            content_hash = excluded.content_hash,
            http_etag = excluded.http_etag,
            http_last_modified = excluded.http_last_modified,
            listing_page = coalesce(excluded.listing_page, r.listing_page),
            capture_kind = excluded.capture_kind,
            captured_on = excluded.captured_on,
            last_seen_at = excluded.last_seen_at,
            last_seen_run_id = excluded.last_seen_run_id,
            last_fetched_on = excluded.last_fetched_on
        """,
        {"run_id": run_id, "logical_date": logical_date},
    )
    exec_sql(
        con,
        """
        INSERT INTO raw.judiciary_pfd__report_versions AS v
        SELECT report_url, content_hash, crawled_at, crawled_at, $run_id, $run_id, item::JSON
        FROM staged_reports
        ON CONFLICT (report_url, content_hash) DO UPDATE SET
            last_seen_at = excluded.last_seen_at,
            last_seen_run_id = excluded.last_seen_run_id
        """,
        {"run_id": run_id},
    )
    # Documents: a document missing from the latest observation of its page is no longer current.
    exec_sql(
        con,
        """
        UPDATE raw.judiciary_pfd__documents AS d SET is_current = false
        WHERE d.report_url IN (SELECT report_url FROM staged_reports)
          AND NOT EXISTS (SELECT 1 FROM staged_documents s
                          WHERE s.report_url = d.report_url AND s.document_url = d.document_url)
        """,
    )
    exec_sql(
        con,
        """
        INSERT INTO raw.judiciary_pfd__documents AS d
        SELECT report_url, document_url, link_text, file_name, upload_year, upload_month, kind,
               position, link_source, true, crawled_at, crawled_at, $run_id, $run_id, $logical_date
        FROM staged_documents
        ON CONFLICT (report_url, document_url) DO UPDATE SET
            link_text = excluded.link_text,
            file_name = excluded.file_name,
            upload_year = excluded.upload_year,
            upload_month = excluded.upload_month,
            kind = excluded.kind,
            position = excluded.position,
            link_source = excluded.link_source,
            is_current = true,
            last_seen_at = excluded.last_seen_at,
            last_seen_run_id = excluded.last_seen_run_id
        """,
        {"run_id": run_id, "logical_date": logical_date},
    )
    # 304 Not Modified: the page (and its current version and documents) was seen again.
    exec_sql(
        con,
        """
        UPDATE raw.judiciary_pfd__reports AS r SET
            last_seen_at = n.crawled_at,
            last_seen_run_id = $run_id,
            last_fetched_on = $logical_date,
            http_etag = coalesce(n.http_etag, r.http_etag),
            http_last_modified = coalesce(n.http_last_modified, r.http_last_modified)
        FROM staged_not_modified n WHERE n.url = r.report_url
        """,
        {"run_id": run_id, "logical_date": logical_date},
    )
    exec_sql(
        con,
        """
        UPDATE raw.judiciary_pfd__report_versions AS v SET
            last_seen_at = n.crawled_at, last_seen_run_id = $run_id
        FROM staged_not_modified n, raw.judiciary_pfd__reports r
        WHERE n.url = r.report_url AND v.report_url = r.report_url
          AND v.content_hash = r.content_hash
        """,
        {"run_id": run_id},
    )
    exec_sql(
        con,
        """
        UPDATE raw.judiciary_pfd__documents AS d SET
            last_seen_at = n.crawled_at, last_seen_run_id = $run_id
        FROM staged_not_modified n WHERE n.url = d.report_url AND d.is_current
        """,
        {"run_id": run_id},
    )
    return {
        "new_reports": int(new_reports),
        "changed_reports": int(changed_reports),
        "new_documents": int(new_documents),
    }
