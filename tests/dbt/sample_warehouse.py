"""Helpers: build a raw warehouse from real report rows and run `dbt build` into it (offline)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import duckdb

from orchestration.sources.judiciary_pfd.load import ensure_raw_schema
from orchestration.warehouse.dbt_cli import run_dbt
from scrapers.snapshot.render import capture_of_row

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = Path(__file__).parent / "fixtures" / "judiciary_pfd_sample.csv"
# Real rows of shared/data/judiciary/pfd_reports.csv chosen for the report-text and status rules:
# header-less reports with and without report text, with responses naming their author (one a
# trust since merged), a page-text report stating its deadline, a page captured without document
# links, and 2024 reports captured on 2024-04-07, before their responses were due. The texts file
# holds their rows of shared/data/judiciary/report_texts.csv, as the spider would read them.
TEXT_SAMPLE_CSV = Path(__file__).parent / "fixtures" / "judiciary_pfd_text_sample.csv"
TEXT_SAMPLE_TEXTS_CSV = Path(__file__).parent / "fixtures" / "judiciary_pfd_text_sample_texts.csv"
# report_texts.csv column -> (section number, heading as on the template, section key)
TEXT_SECTIONS = {
    "coroners_legal_powers": ("2", "CORONER'S LEGAL POWERS", "legal_powers"),
    "investigation_and_inquest": ("3", "INVESTIGATION and INQUEST", "investigation_and_inquest"),
    "circumstances_of_death": ("4", "CIRCUMSTANCES OF THE DEATH", "circumstances_of_death"),
    "coroners_concerns": ("5", "CORONER'S CONCERNS", "coroners_concerns"),
    "action_should_be_taken": ("6", "ACTION SHOULD BE TAKEN", "action_should_be_taken"),
    "your_response": ("7", "YOUR RESPONSE", "your_response"),
}
UPLOAD_FOLDER = re.compile(r"/wp-content/uploads/(\d{4})/(\d{2})/")
CRAWLED_AT = dt.datetime(2026, 2, 1, 12, 0, 0)


def _document_rows(report: dict[str, str]) -> list[dict]:
    links = []
    if report["report_pdf_url"].strip():
        links.append((report["report_pdf_url"].strip(), "report", "file_button"))
    for url in (part.strip() for part in report["response_urls"].split(" | ")):
        if url:
            kind = "other" if "/prevention-of-future-death-reports/" in url else "response"
            links.append((url, kind, "related"))
    rows, seen = [], set()
    for position, (url, kind, link_source) in enumerate(links):
        if url in seen:
            continue
        seen.add(url)
        folder = UPLOAD_FOLDER.search(url)
        rows.append(
            {
                "report_url": report["report_url"],
                "document_url": url,
                "link_text": None,
                "file_name": url.rstrip("/").rsplit("/", 1)[-1],
                "upload_year": int(folder[1]) if folder else None,
                "upload_month": int(folder[2]) if folder else None,
                "kind": kind,
                "position": position,
                "link_source": link_source,
                "is_current": True,
                "first_seen_at": CRAWLED_AT,
                "last_seen_at": CRAWLED_AT,
                "first_seen_run_id": "fixture",
                "last_seen_run_id": "fixture",
                "first_seen_on": CRAWLED_AT.date(),
            }
        )
    return rows


def _capture(report: dict[str, str]) -> tuple[str | None, dt.date | None]:
    """(capture_kind, captured_on) as the replica states them for this row and the loader keeps
    them; (None, None) for a row that names no stored copy (a live page)."""
    capture = capture_of_row(report)
    if capture is None:
        return None, None
    kind, day = capture
    return kind, dt.date.fromisoformat(day)


def insert_report_texts(connection: duckdb.DuckDBPyConnection, texts_csv: Path) -> None:
    """Load rows of report_texts.csv as the spider's report_texts items would arrive."""
    with texts_csv.open(newline="", encoding="utf-8") as handle:
        texts = list(csv.DictReader(handle))
    for text in texts:
        sections = [
            {"number": number, "heading": heading, "section_key": key, "text": text[column]}
            for column, (number, heading, key) in TEXT_SECTIONS.items()
            if text[column].strip()
        ]
        source = "page" if ("pdt:" in text["sources"] or "mrh:" in text["sources"]) else "pdf"
        connection.execute(
            """
            insert into raw.judiciary_pfd__report_texts (
                report_url, text_source, document_url, text_status, sent_to_text, sections,
                raw_text, page_count, parse_warnings, content_hash, first_seen_at, last_seen_at,
                first_seen_run_id, last_seen_run_id
            ) values (?, ?, null, 'sections', ?, ?, null, null, '[]', 'fixture', ?, ?,
                'fixture', 'fixture')
            """,
            [
                text["report_url"],
                source,
                text["sent_to_in_report"] or None,
                json.dumps(sections),
                CRAWLED_AT,
                CRAWLED_AT,
            ],
        )


def build_raw_warehouse(path: Path, sample_csv: Path | None, texts_csv: Path | None = None) -> None:
    """Create the raw schema and, when a sample is given, load its rows as the loader would."""
    connection = duckdb.connect(str(path))
    try:
        ensure_raw_schema(connection)
        if sample_csv is None:
            return
        with sample_csv.open(newline="", encoding="utf-8") as handle:
            reports = list(csv.DictReader(handle))
        for report in reports:
            added = dt.datetime.strptime(report["date_added"].strip(), "%d/%m/%Y").date()
            connection.execute(
                """
                insert into raw.judiciary_pfd__reports (
                    report_url, date_added_raw, date_added_text, date_of_report_raw, ref_raw,
                    deceased_name_raw, coroner_name_raw, coroner_area_raw, category_raw,
                    sent_to_raw, parse_warnings, content_hash, first_seen_at, last_seen_at,
                    last_changed_at, first_seen_run_id, last_seen_run_id, first_seen_on,
                    last_fetched_on, capture_kind, captured_on
                ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', 'fixture', ?, ?, ?, 'fixture',
                    'fixture', ?, ?, ?, ?)
                """,
                [
                    report["report_url"],
                    added.isoformat(),
                    report["date_added"],
                    report["date_of_report"],
                    report["ref"],
                    report["deceased_name"],
                    report["coroner_name"],
                    report["coroner_area"],
                    report["category"],
                    report["sent_to"],
                    CRAWLED_AT,
                    CRAWLED_AT,
                    CRAWLED_AT,
                    CRAWLED_AT.date(),
                    CRAWLED_AT.date(),
                    *_capture(report),
                ],
            )
            for document in _document_rows(report):
                columns = ", ".join(document)
                placeholders = ", ".join("?" for _ in document)
                connection.execute(
                    f"insert into raw.judiciary_pfd__documents ({columns}) values ({placeholders})",  # noqa: S608 - column names are fixed above
                    list(document.values()),
                )
        if texts_csv is not None:
            insert_report_texts(connection, texts_csv)
    finally:
        connection.close()


def run_dbt_build(warehouse: Path, work_dir: Path, as_of: str) -> subprocess.CompletedProcess:
    return run_dbt(["build"], warehouse, work_dir, dbt_vars=f"{{as_of: '{as_of}'}}", timeout=600)
