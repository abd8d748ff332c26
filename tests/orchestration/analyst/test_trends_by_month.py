"""Question 6, monthly trends: the documented SQL against a plain count on the marts."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.analyst.questions import ScopeVariables, run_question

pytestmark = pytest.mark.slow


def test_monthly_trends_by_category_and_recipient_type_equal_plain_counts(window_warehouse):
    with duckdb.connect(str(window_warehouse), read_only=True) as con:
        rows = run_question(con, "q6_trends_by_month", ScopeVariables())
        expected_all = dict(
            con.execute(
                "SELECT date_trunc('month', coalesce(report_date, published_date))::DATE, count(*)"
                " FROM main.fct_reports WHERE coalesce(report_date, published_date) IS NOT NULL"
                " GROUP BY 1"
            ).fetchall()
        )
        expected_police = dict(
            con.execute(
                "SELECT date_trunc('month', coalesce(r.report_date, r.published_date))::DATE,"
                " count(DISTINCT r.report_url)"
                " FROM main.fct_reports r JOIN main.fct_report_recipients p USING (report_url)"
                " WHERE p.current_organisation_type = 'police'"
                " AND coalesce(r.report_date, r.published_date) IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
    all_reports = {r["report_month"]: r["reports"] for r in rows if r["breakdown"] == "all"}
    police = {
        r["report_month"]: r["reports"]
        for r in rows
        if r["breakdown"] == "recipient_type" and r["breakdown_value"] == "police"
    }
    assert all_reports == expected_all and sum(all_reports.values()) > 0
    assert police == expected_police
    categories = {r["breakdown_value"] for r in rows if r["breakdown"] == "category"}
    assert categories and categories != {"(none)"}
