"""Raw crawl suite (blocking): is the latest crawl's data whole enough to build the marts on?

Frame: the report pages the latest judiciary_pfd crawl observed (``last_seen_run_id``), header
values verbatim with blanks as missing. Everything here is an error (broken data), so a failed
suite stops the run before dbt builds. The page key (``report_url`` not null and unique) is a dbt
source test, and "every page yields a header field" a row check of the raw load: each raw fact
is checked in one place (expectations/CHECKS.md).
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
    facts = {
        "latest_run_id": latest[0],
        "latest_mode": latest[1],
        "latest_source": latest[2],
        "previous_full_run_id": previous_full[0] if previous_full else None,
        "previous_full_reports": previous_full[3] if previous_full else None,
    }
    return clean_frame(frame), facts


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
    expectations: list = [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=min_rows_expected(facts, config),
            severity=critical,
            meta={"entity": "latest crawl", "why": "pages seen must not drop sharply"},
        ),
    ]
    for column, share in config.min_share_present.items():
        condition = None
        if column == "sent_to_raw":
            condition = Column("date_added_raw") >= config.recipients_required_from
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
