"""Coroner-area completeness suite (warnings: findings about how areas publish).

Frame: one row per current coroner area (all 77, plus "Unresolved area" when some reports
could not be placed), read from the audit window measures dbt computed in
``main.audit_publication_completeness`` (the same on every row of an area): over the last
``completeness_window_years`` report years (a dbt var) up to the newest report in the warehouse,
publication lag p95, share of reports missing a header field, share of reports (past their
deadline, with a named recipient) whose every response is published, and days since the area's
last publication, counted back from the newest publication anywhere. The suite only judges them
against the thresholds in ``expectations.config``; it computes none of them.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd

from expectations.config import AuditConfig

DESCRIPTION = (
    "Per current coroner area over the recent window: publication lag p95, share of reports"
    " with missing header fields, share with every response published, and time since the"
    " area last published, each against a documented threshold."
)
TABLE = "main.audit_publication_completeness"
# One row per area: the window columns are area-level facts, repeated on each report-year row.
FRAME_SQL = f"""
    SELECT DISTINCT
        current_coroner_area_key AS coroner_area_key,
        current_coroner_area AS coroner_area,
        window_reports_published AS reports_in_window,
        window_p95_publication_lag_days AS p95_publication_lag_days,
        window_share_missing_header_fields AS share_missing_header_fields,
        window_share_all_responses_published AS share_all_responses_published,
        last_published_date,
        newest_published_date AS newest_publication,
        days_since_last_publication,
        window_first_year,
        as_of_date
    FROM {TABLE}
    ORDER BY coroner_area"""  # noqa: S608 (a module constant)


def load_frame(con, config: AuditConfig) -> tuple[pd.DataFrame, dict]:
    cursor = con.execute(FRAME_SQL)
    frame = pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])
    for column in ("last_published_date", "newest_publication", "as_of_date"):
        frame[column] = frame[column].astype("string")
    for column in (
        "p95_publication_lag_days",
        "share_missing_header_fields",
        "share_all_responses_published",
        "days_since_last_publication",
    ):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    history_columns = [
        "coroner_area",
        "reports_in_window",
        "p95_publication_lag_days",
        "share_missing_header_fields",
        "share_all_responses_published",
        "days_since_last_publication",
        "window_first_year",
    ]
    facts = {
        # Kept with the result so the audit history can follow each area over time.
        "area_rows": frame[history_columns]
        .astype(object)
        .where(frame[history_columns].notna())
        .to_dict("records"),
        "areas": len(frame),
        "window_first_year": int(frame["window_first_year"].iloc[0]) if len(frame) else None,
        "newest_publication": frame["newest_publication"].iloc[0] if len(frame) else None,
    }
    return frame, facts


def build_expectations(frame: pd.DataFrame, facts: dict, config: AuditConfig) -> list:
    warning = "warning"
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="p95_publication_lag_days",
            max_value=config.max_p95_publication_lag_days,
            severity=warning,
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="share_missing_header_fields",
            max_value=config.max_share_missing_header_fields,
            severity=warning,
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="share_all_responses_published",
            min_value=config.min_share_all_responses_published,
            severity=warning,
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="days_since_last_publication",
            max_value=config.max_days_since_last_publication,
            severity=warning,
        ),
    ]
