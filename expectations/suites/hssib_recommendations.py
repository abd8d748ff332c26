"""HSSIB raw crawl suite (blocking): is the latest hssib_recommendations crawl whole enough to
build the HSSIB marts on?

Frame: the recommendation pages the latest ``hssib_recommendations`` run observed
(``last_seen_run_id``) in ``raw.hssib_recommendations__recommendations``, text blanks as missing,
with the number of parsed recipients and the crawl date of each page. Everything here is an error
(broken data), so a failed suite stops the run before dbt builds the HSSIB marts.
"""

from __future__ import annotations

import json
import math

import great_expectations.expectations as gxe
import pandas as pd

from expectations.config import AuditConfig
from expectations.suites.judiciary_pfd import clean_frame

DESCRIPTION = (
    "Latest HSSIB crawl: recommendations seen (at least one, no sharp drop against the previous"
    " crawl), keys unique, page path, text and investigation title present, recipients parsed on"
    " most pages, log URLs on hssib.org.uk, no response received after the crawl, and cut-off"
    " markers naming a known field."
)
SPIDER = "hssib_recommendations"
TABLE = "raw.hssib_recommendations__recommendations"
LOG_URL_PATTERN = r"^https://www\.hssib\.org\.uk/"
# The fields the spider marks a stored record as cut off in (truncated_in, written by
# orchestration.sources.hssib_recommendations.load).
TRUNCATED_IN_VALUES = ("recommendation", "response", "actions")
REQUIRED_TEXT = ("page_path", "recommendation_text", "investigation_title")
TEXT_COLUMNS = ("recommendation_key", "log_url", *REQUIRED_TEXT, "truncated_in")

RUNS_SQL = """
    SELECT run_id, source, reports_parsed, started_at
    FROM raw.crawl_runs WHERE spider = ? ORDER BY started_at DESC, run_id DESC"""
PAGES_SQL = f"""
    SELECT recommendation_key, log_url, page_path, investigation_title, recommendation_text,
           recipients::VARCHAR AS recipients, response_received_date, crawled_at, truncated_in
    FROM {TABLE}
    WHERE last_seen_run_id = ? ORDER BY recommendation_key"""  # noqa: S608 (a module constant)
FRAME_COLUMNS = (
    "recommendation_key",
    "log_url",
    "page_path",
    "investigation_title",
    "recommendation_text",
    "recipients",
    "response_received_date",
    "crawled_at",
    "truncated_in",
)


def recipient_count(value) -> int:
    """Names in a recipients JSON list; 0 for an empty list, a non-list or text that is no JSON."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return 0
    if not isinstance(value, list):
        return 0
    return sum(1 for name in value if isinstance(name, str) and name.strip())


def prepare_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank text as missing; ``recipient_count`` from the JSON list; ``crawl_date`` (the day the
    page was fetched) beside ``response_received_date``, both as dates GX can compare."""
    prepared = frame.copy()
    text = [c for c in TEXT_COLUMNS if c in prepared.columns]
    prepared[text] = clean_frame(prepared[text])
    prepared["recipient_count"] = prepared["recipients"].map(recipient_count).astype("int64")
    prepared["response_received_date"] = pd.to_datetime(
        prepared["response_received_date"], errors="raise"
    ).astype("datetime64[ns]")
    prepared["crawl_date"] = (
        pd.to_datetime(prepared["crawled_at"], errors="raise")
        .dt.normalize()
        .astype("datetime64[ns]")
    )
    return prepared


def load_frame(con, config: AuditConfig) -> tuple[pd.DataFrame, dict]:
    runs = con.execute(RUNS_SQL, [SPIDER]).fetchall()
    if not runs:
        empty = pd.DataFrame(columns=list(FRAME_COLUMNS))
        return prepare_frame(empty), {"latest_run_id": None}
    latest = runs[0]
    # Snapshot and live logs differ in size, so only a previous crawl of the same source counts.
    previous = next((run for run in runs[1:] if run[1] == latest[1]), None)
    cursor = con.execute(PAGES_SQL, [latest[0]])
    frame = pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])
    facts = {
        "latest_run_id": latest[0],
        "latest_source": latest[1],
        "latest_started_at": str(latest[3]),
        "previous_run_id": previous[0] if previous else None,
        "previous_recommendations": previous[2] if previous else None,
    }
    return prepare_frame(frame), facts


def min_rows_expected(facts: dict, config: AuditConfig) -> int:
    """Pages the crawl must see: (1 - max drop) x the previous crawl's, and at least one."""
    previous = facts.get("previous_recommendations")
    if previous:
        return max(1, math.ceil(previous * (1 - config.hssib_max_row_drop_share)))
    return 1


def build_expectations(frame: pd.DataFrame, facts: dict, config: AuditConfig) -> list:
    critical = "critical"
    expectations: list = [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=min_rows_expected(facts, config),
            severity=critical,
            meta={
                "entity": "latest HSSIB crawl",
                "why": "at least one recommendation, and no sharp drop against the previous crawl",
            },
        ),
        gxe.ExpectColumnValuesToBeUnique(column="recommendation_key", severity=critical),
    ]
    # Every row: a missing value names the recommendation it is missing from.
    expectations += [
        gxe.ExpectColumnValuesToNotBeNull(column=column, severity=critical)
        for column in REQUIRED_TEXT
    ]
    expectations += [
        gxe.ExpectColumnValuesToBeBetween(
            column="recipient_count",
            min_value=1,
            mostly=config.hssib_min_share_with_recipients,
            severity=critical,
            meta={"entity": "recipients", "why": "recipients parsed from the recommendation"},
        ),
        # Null log URLs are allowed (stand-in pages whose address is not known): GX skips them.
        gxe.ExpectColumnValuesToMatchRegex(
            column="log_url", regex=LOG_URL_PATTERN, severity=critical
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="crawl_date",
            column_B="response_received_date",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            severity=critical,
            meta={"why": "a response cannot be received after the page showing it was fetched"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="truncated_in", value_set=list(TRUNCATED_IN_VALUES), severity=critical
        ),
    ]
    return expectations
