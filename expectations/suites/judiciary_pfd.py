"""Raw crawl suite (blocking): is the latest crawl's data whole enough to build the marts on?

Frame: the report pages the latest judiciary_pfd crawl observed (``last_seen_run_id``), header
values verbatim with blanks as missing, ``crawl_outcome`` "loaded"; plus one row per page that
crawl could not load (a report or canary page recorded in ``raw.crawl_errors``, outcome "error")
and per listing page it lost for good (outcome "listing page lost"). Everything here is an error
(broken data), so a failed suite stops the run before dbt builds, on the first run as on any
other. Completeness: at most ``max_crawl_error_share`` of the report pages the crawl tried may be
errors (``crawl_errors_tolerated`` always are), and no listing page may be lost (the reports
listed only there are unknown); the failing rows name the pages. The page key (``report_url``
not null and unique) is a dbt source test, and "every page yields a header field" a row check of
the raw load: each raw fact is checked in one place (expectations/CHECKS.md).
"""

from __future__ import annotations

import math

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from expectations.config import AuditConfig

DESCRIPTION = (
    "Latest crawl: required header fields present in a plausible share of pages, date and ref"
    " formats, and no sharp drop in pages against the previous full crawl."
)
SPIDER = "judiciary_pfd"
# A date as printed on the pages: 30/05/2024, 01/07/22, 08 /03/2024, 26 May 2022, 14 December
# 2016, 1st June 2019, or ISO.
DATE_PATTERN = (
    r"^\s*(\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}"
    r"|\d{1,2}(st|nd|rd|th)?\s+[A-Za-z]+\s*,?\s*\d{4}"
    r"|\d{4}-\d{2}-\d{2})\s*$"
)
# YYYY-NNNN with the dash variants seen on the site (en dash, spaces) and an optional A suffix.
REF_PATTERN = r"^\s*\d{4}\s*[-\u2013\u2014]\s*\d{2,4}[A-Za-z]?\s*$"
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}"
FIELDS = (
    "report_url",
    "date_added_raw",
    "date_of_report_raw",
    "ref_raw",
    "deceased_name_raw",
    "coroner_name_raw",
    "coroner_area_raw",
    "sent_to_raw",
)

LOADED = "loaded"
ERROR = "error"
LISTING_LOST = "listing page lost"
# Crawl error stages that mean "this report page was not loaded" (scrapers/judiciary_pfd/spider).
REPORT_ERROR_STAGES = ("report", "canary")
LISTING_LOST_STAGE = "listing_lost"
NOT_LOADED_SQL = """
    SELECT DISTINCT url AS report_url,
           CASE WHEN stage = ? THEN ? ELSE ? END AS crawl_outcome
    FROM raw.crawl_errors
    WHERE run_id = ? AND (stage = ? OR stage IN (SELECT unnest(?::VARCHAR[])))
      AND url NOT IN (SELECT report_url FROM raw.judiciary_pfd__reports WHERE last_seen_run_id = ?)
      AND url NOT IN (SELECT url FROM raw.skipped_pages WHERE run_id = ?)
    ORDER BY report_url"""
LATEST_RUNS_SQL = """
    SELECT run_id, mode, source, reports_parsed, started_at
    FROM raw.crawl_runs WHERE spider = ? ORDER BY started_at DESC, run_id DESC"""
PAGES_SQL = f"""
    SELECT {", ".join(FIELDS)} FROM raw.judiciary_pfd__reports
    WHERE last_seen_run_id = ? ORDER BY report_url"""  # noqa: S608 (column names are constants)


def clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank and whitespace-only values (non-breaking spaces included) count as missing."""
    cleaned = frame.copy()
    for column in cleaned.columns:
        text = cleaned[column].astype("string").str.replace("\u00a0", " ").str.strip()
        cleaned[column] = text.mask(text == "").astype(object).where(text.notna() & (text != ""))
    return cleaned


def load_frame(con, config: AuditConfig) -> tuple[pd.DataFrame, dict]:
    runs = con.execute(LATEST_RUNS_SQL, [SPIDER]).fetchall()
    if not runs:
        return pd.DataFrame(columns=list(FIELDS)), {"latest_run_id": None}
    latest = runs[0]
    previous_full = next((r for r in runs[1:] if r[1] == "full" and r[2] == latest[2]), None)
    cursor = con.execute(PAGES_SQL, [latest[0]])
    frame = pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])
    frame = clean_frame(frame)
    frame["crawl_outcome"] = LOADED
    not_loaded = con.execute(
        NOT_LOADED_SQL,
        [
            LISTING_LOST_STAGE,
            LISTING_LOST,
            ERROR,
            latest[0],
            LISTING_LOST_STAGE,
            list(REPORT_ERROR_STAGES),
            latest[0],
            latest[0],
        ],
    ).fetchall()
    if not_loaded:
        rows = pd.DataFrame(not_loaded, columns=["report_url", "crawl_outcome"], dtype=object)
        frame = pd.concat([frame, rows], ignore_index=True)
    facts = {
        "latest_run_id": latest[0],
        "latest_mode": latest[1],
        "latest_source": latest[2],
        "previous_full_run_id": previous_full[0] if previous_full else None,
        "previous_full_reports": previous_full[3] if previous_full else None,
        "pages_loaded": int((frame["crawl_outcome"] == LOADED).sum()),
        "pages_not_loaded": int((frame["crawl_outcome"] == ERROR).sum()),
        "listing_pages_lost": int((frame["crawl_outcome"] == LISTING_LOST).sum()),
    }
    return frame, facts


def allowed_errors(pages_tried: int, config: AuditConfig) -> int:
    """Report pages a crawl may fail to load and still pass: the share, but never fewer than
    ``crawl_errors_tolerated`` (a daily run of 30 pages with two errors retries them tomorrow)."""
    return max(
        math.floor(pages_tried * config.max_crawl_error_share), config.crawl_errors_tolerated
    )


def completeness_expectations(frame: pd.DataFrame, config: AuditConfig) -> list:
    """Every report page the crawl tried is loaded, within the error allowance; no listing page
    is lost. Unexpected rows name the pages (their report_url)."""
    if "crawl_outcome" not in frame.columns:  # a frame built by hand, without the crawl's errors
        return []
    pages = frame[frame["crawl_outcome"] != LISTING_LOST]
    tried = len(pages)
    mostly = 1.0 if tried == 0 else max(0.0, 1.0 - allowed_errors(tried, config) / tried)
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column="crawl_outcome",
            value_set=[LOADED],
            mostly=mostly,
            row_condition=Column("crawl_outcome") != LISTING_LOST,
            severity="critical",
            meta={
                "why": "completeness: the report pages the crawl could not load (recorded in"
                f" raw.crawl_errors) may be at most {config.max_crawl_error_share:.0%} of the"
                f" pages it tried, or {config.crawl_errors_tolerated} pages",
            },
        ),
        gxe.ExpectColumnValuesToNotBeInSet(
            column="crawl_outcome",
            value_set=[LISTING_LOST],
            severity="critical",
            meta={
                "why": "completeness: a listing page lost for good (the page and its search"
                " mirror failed) hides the reports listed only there",
            },
        ),
    ]


def min_rows_expected(facts: dict, config: AuditConfig) -> int:
    """Pages a full crawl must see: (1 - max drop) x the previous full crawl; else 1.

    An incremental crawl fetches only new and still-open pages, so on a quiet day it may see
    none at all: that is not a broken crawl, and it expects 0."""
    previous = facts.get("previous_full_reports")
    if facts.get("latest_mode") == "full" and previous:
        return math.ceil(previous * (1 - config.max_row_drop_share))
    if facts.get("latest_mode") == "incremental":
        return 0
    return 1


def build_expectations(frame: pd.DataFrame, facts: dict, config: AuditConfig) -> list:
    critical = "critical"
    # The row-count rule counts pages loaded: the rows of pages not loaded come on top.
    not_loaded = 0
    loaded = None
    if "crawl_outcome" in frame.columns:
        not_loaded = int((frame["crawl_outcome"] != LOADED).sum())
        loaded = Column("crawl_outcome") == LOADED
    expectations: list = [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=min_rows_expected(facts, config) + not_loaded,
            severity=critical,
            meta={"entity": "latest crawl", "why": "pages seen must not drop sharply"},
        ),
        *completeness_expectations(frame, config),
    ]
    for column, share in config.min_share_present.items():
        condition = loaded
        if column == "sent_to_raw":
            recent = Column("date_added_raw") >= config.recipients_required_from
            condition = recent if loaded is None else (recent & loaded)
        expectations.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column=column,
                mostly=share,
                row_condition=condition,
                severity=critical,
                meta={"entity": column},
            )
        )
    expectations += [
        gxe.ExpectColumnValuesToMatchRegex(
            column="date_of_report_raw",
            regex=DATE_PATTERN,
            mostly=config.min_share_date_format,
            severity=critical,
            meta={"entity": "date_of_report_raw"},
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="ref_raw",
            regex=REF_PATTERN,
            mostly=config.min_share_ref_format,
            severity=critical,
            meta={"entity": "ref_raw"},
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="date_added_raw",
            regex=ISO_DATE_PATTERN,
            mostly=0.99,
            severity=critical,
            meta={"entity": "date_added_raw"},
        ),
    ]
    return expectations
