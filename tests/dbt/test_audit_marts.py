"""The audit marts on real report rows hold the facts the audit suites judge: the suites read
them as dbt built them, and they agree with plain SQL on fct_reports written out here."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from expectations.config import AuditConfig
from expectations.registry import suite

pytestmark = pytest.mark.slow

WINDOW_YEARS = 3  # the dbt var completeness_window_years, unset in the sample build
# Per current area (and "Unresolved area"): the window measures, written straight on fct_reports.
PLAIN_COMPLETENESS_SQL = f"""
    WITH horizon AS (
        SELECT max(published_date) AS newest_publication, max(report_year) AS newest_year
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
    measures AS (
        SELECT
            reports.coroner_area_key,
            count(*) AS reports_in_window,
            quantile_cont(publication_lag_days, 0.95) AS p95_publication_lag_days,
            round(avg(CASE WHEN missing_header_field_count > 0 THEN 1.0 ELSE 0.0 END), 4)
                AS share_missing_header_fields,
            round(avg(CASE WHEN report_status = 'completed' THEN 1.0 ELSE 0.0 END)
                FILTER (WHERE report_status NOT IN ('no_named_recipient', 'pending')), 4)
                AS share_all_responses_published
        FROM reports, horizon
        WHERE reports.report_year > horizon.newest_year - {WINDOW_YEARS}
        GROUP BY reports.coroner_area_key
    ),
    last_published AS (
        SELECT coroner_area_key, max(published_date) AS last_published_date
        FROM reports GROUP BY coroner_area_key
    )
    SELECT
        areas.coroner_area,
        coalesce(measures.reports_in_window, 0) AS reports_in_window,
        measures.p95_publication_lag_days,
        measures.share_missing_header_fields,
        measures.share_all_responses_published,
        coalesce(
            horizon.newest_publication - last_published.last_published_date,
            horizon.newest_publication - DATE '2013-07-25'
        ) AS days_since_last_publication,
        horizon.newest_year - {WINDOW_YEARS} + 1 AS window_first_year
    FROM areas
    CROSS JOIN horizon
    LEFT JOIN measures USING (coroner_area_key)
    LEFT JOIN last_published USING (coroner_area_key)
    ORDER BY areas.coroner_area"""  # noqa: S608 (constants only)


def frame_of(con, sql: str) -> pd.DataFrame:
    cursor = con.execute(sql)
    return pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])


def test_completeness_suite_reads_the_window_measures_dbt_computed(sample_warehouse):
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        frame, facts = suite("coroner_area_completeness").load_frame(con, AuditConfig())
        plain = frame_of(con, PLAIN_COMPLETENESS_SQL)
        current_areas = con.execute(
            "SELECT count(*) FROM main.dim_coroner_areas WHERE is_current"
        ).fetchone()[0]
    columns = list(plain.columns)
    pd.testing.assert_frame_equal(
        frame[columns].astype(object).where(frame[columns].notna(), None),
        plain.astype(object).where(plain.notna(), None),
        check_dtype=False,
    )
    # every current area is audited, those that never published included
    assert len(frame) >= current_areas == 77
    assert frame["coroner_area_key"].is_unique
    assert facts["areas"] == len(frame)


def test_ref_years_agree_with_the_gaps_listed_one_row_each(sample_warehouse):
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        years = con.execute(
            """
            SELECT ref_year, gaps_in_year, coalesce(missing_refs, '')
            FROM main.audit_ref_sequence_years ORDER BY ref_year"""
        ).fetchall()
        listed = dict(
            con.execute(
                """
                SELECT ref_year, string_agg(missing_ref, ', ' ORDER BY ref_sequence)
                FROM main.audit_ref_sequence_gaps GROUP BY ref_year"""
            ).fetchall()
        )
        counted = dict(
            con.execute(
                "SELECT ref_year, count(*) FROM main.audit_ref_sequence_gaps GROUP BY ref_year"
            ).fetchall()
        )
        published_years = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT ref_year FROM main.fct_reports WHERE is_ref_valid ORDER BY 1"
            ).fetchall()
        ]
        frame, _facts = suite("ref_sequence_gaps").load_frame(con, AuditConfig())
    assert [year for year, _gaps, _refs in years] == published_years
    for year, gaps, refs in years:
        assert gaps == counted.get(year, 0), year
        assert refs == listed.get(year, ""), year
    # the suite judges every ref year of the contiguous era, years without a gap included
    assert frame["ref_year"].tolist() == [y for y in published_years if y >= 2019]
