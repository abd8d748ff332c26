"""The report-text half of the judiciary_pfd raw load (``raw.judiciary_pfd__report_texts``):
validating report_texts.jsonl, the staged frame, and the upsert that ``load.load_run`` runs inside
its one transaction."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from orchestration.sources.raw_runs import (
    RawLoadError,
    exec_sql,
    json_column,
    latest_observations,
    parse_timestamp,
)
from scrapers.judiciary_pfd import CANONICAL_ORIGIN
from scrapers.judiciary_pfd.report_text import TEXT_SOURCES, TEXT_STATUSES

SECTION_FIELDS = ("number", "heading", "section_key", "text")


def validate_text(where: str, row: dict[str, Any]) -> None:
    if row["text_source"] not in TEXT_SOURCES:
        raise RawLoadError(
            f"{where}: text_source {row['text_source']!r}, expected one of {list(TEXT_SOURCES)}"
        )
    if row["text_status"] not in TEXT_STATUSES:
        raise RawLoadError(
            f"{where}: text_status {row['text_status']!r}, expected one of {list(TEXT_STATUSES)}"
        )
    document_url = row.get("document_url")
    if row["text_source"] == "pdf" and document_url is None:
        raise RawLoadError(f"{where}: a text read from a PDF must name its document_url")
    if document_url is not None and (
        not isinstance(document_url, str) or not document_url.startswith(CANONICAL_ORIGIN + "/")
    ):
        raise RawLoadError(
            f"{where}: document_url {document_url!r} is not a canonical {CANONICAL_ORIGIN} URL"
        )
    sections = row["sections"]
    if not isinstance(sections, list) or not all(
        isinstance(section, dict) and all(isinstance(section.get(k), str) for k in SECTION_FIELDS)
        for section in sections
    ):
        raise RawLoadError(
            f"{where}: sections must be a list of objects with string {', '.join(SECTION_FIELDS)}"
        )
    page_count = row.get("page_count")
    if page_count is not None and (not isinstance(page_count, int) or page_count < 0):
        raise RawLoadError(f"{where}: page_count {page_count!r} is not a whole number")


def text_frame(texts: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [
        "report_url",
        "text_source",
        "document_url",
        "text_status",
        "sent_to_text",
        "sections",
        "raw_text",
        "page_count",
        "parse_warnings",
        "content_hash",
        "crawled_at",
    ]
    rows = [
        {
            "report_url": item["url"],
            "text_source": item["text_source"],
            "document_url": item.get("document_url"),
            "text_status": item["text_status"],
            "sent_to_text": item.get("sent_to_text"),
            "sections": json_column(item["sections"]),
            "raw_text": item.get("raw_text"),
            "page_count": item.get("page_count"),
            "parse_warnings": json_column(item.get("parse_warnings")),
            "content_hash": item["content_hash"],
            "crawled_at": parse_timestamp(item["crawled_at"], item["url"], "crawled_at"),
        }
        for item in latest_observations(texts)
    ]
    return pd.DataFrame(rows, columns=columns).astype({"page_count": "Int64"})


def apply_texts(con: duckdb.DuckDBPyConnection, run_id: str, texts: pd.DataFrame) -> int:
    """Report texts: the one read in this run wins. A text not read again is still seen when its
    page answered 304, or (a PDF text) when the fetched page still links that PDF. Returns how
    many texts are new or changed. Runs after ``load._apply`` (it reads the staged pages)."""
    con.register("staged_texts", texts)
    changed = con.execute(
        """
        SELECT count(*) FROM staged_texts s
        LEFT JOIN raw.judiciary_pfd__report_texts t USING (report_url)
        WHERE t.report_url IS NULL OR t.content_hash <> s.content_hash
        """
    ).fetchall()[0][0]
    exec_sql(
        con,
        """
        INSERT INTO raw.judiciary_pfd__report_texts AS t
        SELECT report_url, text_source, document_url, text_status, sent_to_text, sections::JSON,
               raw_text, page_count, parse_warnings::JSON, content_hash, crawled_at, crawled_at,
               $run_id, $run_id
        FROM staged_texts
        ON CONFLICT (report_url) DO UPDATE SET
            text_source = excluded.text_source,
            document_url = excluded.document_url,
            text_status = excluded.text_status,
            sent_to_text = excluded.sent_to_text,
            sections = excluded.sections,
            raw_text = excluded.raw_text,
            page_count = excluded.page_count,
            parse_warnings = excluded.parse_warnings,
            content_hash = excluded.content_hash,
            last_seen_at = excluded.last_seen_at,
            last_seen_run_id = excluded.last_seen_run_id
        """,
        {"run_id": run_id},
    )
    exec_sql(
        con,
        """
        UPDATE raw.judiciary_pfd__report_texts AS t SET
            last_seen_at = greatest(t.last_seen_at, n.crawled_at), last_seen_run_id = $run_id
        FROM staged_not_modified n
        WHERE n.url = t.report_url
          AND t.report_url NOT IN (SELECT report_url FROM staged_texts)
        """,
        {"run_id": run_id},
    )
    exec_sql(
        con,
        """
        UPDATE raw.judiciary_pfd__report_texts AS t SET
            last_seen_at = greatest(t.last_seen_at, d.crawled_at), last_seen_run_id = $run_id
        FROM staged_documents d
        WHERE t.text_source = 'pdf' AND d.report_url = t.report_url
          AND d.document_url = t.document_url
          AND t.report_url NOT IN (SELECT report_url FROM staged_texts)
        """,
        {"run_id": run_id},
    )
    return int(changed)
