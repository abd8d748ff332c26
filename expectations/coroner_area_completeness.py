"""Coroner-area completeness suite (warnings: findings about how areas publish).

Frame: one row per current coroner area (all 77, plus "Unresolved area" when some reports
could not be placed), measured over the last ``completeness_window_years`` report years up to the
newest report in the warehouse: publication lag p95, share of reports missing a header field,
share of reports (past their deadline, with a named recipient) whose every response is published,
and days since the area's last publication, counted back from the newest publication anywhere.
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
FRAME_SQL = """
    WITH horizon AS (
        SELECT max(published_date) AS newest_publication, max(report_year) AS newest_year,
               max(as_of_date) AS as_of_date
        FROM main.fct_reports
    ),
    areas AS (
        SELECT coroner_area_key, coroner_area FROM main.dim_coroner_areas WHERE is_current
        UNION ALL
        SELECT DISTINCT 'unresolved', 'Unresolved area' FROM main.fct_reports
        WHERE current_coroner_area_key IS NULL
    ),
    reports AS (
        SELECT coalesce(current_coroner_area_key, 'unresolved') AS coroner_area_key, *
        FROM main.fct_reports
    ),
    windowed AS (
        SELECT reports.* FROM reports, horizon
        WHERE reports.report_year > horizon.newest_year - ?
    ),
    measures AS (
        SELECT
            coroner_area_key,
            count(*) AS reports_in_window,
            quantile_cont(publication_lag_days, 0.95) AS p95_publication_lag_days,
            avg(CASE WHEN missing_header_field_count > 0 THEN 1.0 ELSE 0.0 END)
                AS share_missing_header_fields,
            avg(CASE WHEN report_status = 'completed' THEN 1.0 ELSE 0.0 END)
                FILTER (WHERE report_status NOT IN ('no_named_recipient', 'pending'))
                AS share_all_responses_published
        FROM windowed GROUP BY coroner_area_key
    ),
    last_published AS (
        SELECT coroner_area_key, max(published_date) AS last_published_date
        FROM reports GROUP BY coroner_area_key
    )
    SELECT
        areas.coroner_area_key,
        areas.coroner_area,
        coalesce(measures.reports_in_window, 0) AS reports_in_window,
        measures.p95_publication_lag_days,
        round(measures.share_missing_header_fields, 4) AS share_missing_header_fields,
        round(measures.share_all_responses_published, 4) AS share_all_responses_published,
        last_published.last_published_date,
        horizon.newest_publication,
        coalesce(
            horizon.newest_publication - last_published.last_published_date,
            horizon.newest_publication - DATE '2013-07-25'
        ) AS days_since_last_publication,
        horizon.newest_year - ? + 1 AS window_first_year,
        horizon.as_of_date
    FROM areas
    CROSS JOIN horizon
    LEFT JOIN measures USING (coroner_area_key)
    LEFT JOIN last_published USING (coroner_area_key)
    ORDER BY areas.coroner_area"""


def load_frame(con, config: AuditConfig) -> tuple[pd.DataFrame, dict]:
    years = config.completeness_window_years
    cursor = con.execute(FRAME_SQL, [years, years])
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
