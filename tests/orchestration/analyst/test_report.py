"""`pfdw report` on the 2015-12-31 snapshot window: every figure equals SQL on the marts,
names stay out unless asked for, and the returns section follows its mart."""

from __future__ import annotations

import json
import re
import shutil
import statistics
from html import unescape
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow


def figures_in(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-figures">(.*?)</script>', html)
    assert found, "the report embeds its figures"
    return json.loads(found.group(1))


def shown_headline(html: str) -> dict[str, int]:
    return {
        name: int(value.replace(",", ""))
        for name, value in re.findall(r'data-figure="(\w+)">([\d,]+)<', html)
    }


def query(warehouse: Path, sql: str, parameters=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


# Written independently of orchestration/analyst/questions: plain SQL on the marts, grouped in
# Python. By default the report counts by current organisation: one pair per report and current
# organisation, answered when any of its names on the report answered.
PAIRS_FOR_TYPE = """
    SELECT rr.report_url, rr.current_organisation_key, rr.response_status, rr.days_to_respond,
           rr.days_to_respond_low
    FROM main.fct_report_recipients rr
    JOIN main.fct_reports r USING (report_url)
    WHERE rr.current_organisation_type = ?
"""


def current_pairs(warehouse: Path, organisation_type: str) -> dict[tuple[str, str], dict]:
    pairs: dict[tuple[str, str], dict] = {}
    for url, key, status, days, low in query(warehouse, PAIRS_FOR_TYPE, [organisation_type]):
        pair = pairs.setdefault((url, key), {"statuses": set(), "days": [], "same_month": False})
        pair["statuses"].add(status)
        if status == "responded":
            pair["days"].append(days)
            pair["same_month"] |= days is None and low is not None
    for pair in pairs.values():
        statuses = pair["statuses"]
        pair["status"] = "responded" if "responded" in statuses else min(statuses)
        known = [d for d in pair["days"] if d is not None]
        pair["days"] = None if pair["same_month"] or not known else min(known)
    return pairs


def test_mental_health_trust_report_figures_equal_sql_on_the_marts(
    pfdw, window_warehouse, tmp_path
):
    out = tmp_path / "mh.html"
    code, stdout, stderr = pfdw("report", "--org-type", "mental_health_trust", "--out", str(out))
    assert code == 0, stderr
    assert stdout.strip() == str(out.resolve())
    html = out.read_text()
    pairs = current_pairs(window_warehouse, "nhs_mental_health_trust")
    statuses = [pair["status"] for pair in pairs.values()]
    assert pairs, "the window must hold reports to mental health trusts for this test"
    expected = {
        "reports_sent": len({url for url, _ in pairs}),
        "organisations": len({key for _, key in pairs}),
        "responses_published": statuses.count("responded"),
        "possibly_answered": statuses.count("possibly_answered"),
        "overdue": statuses.count("overdue"),
        "status_unknown": sum(status.startswith("unknown") for status in statuses),
    }
    assert shown_headline(html) == expected
    assert {k: figures_in(html)["headline"][k] for k in expected} == expected

    per_organisation: dict[str, list] = {}
    for (_, key), pair in pairs.items():
        per_organisation.setdefault(key, []).append(pair)
    shown = {
        row["organisation_key"]: (
            row["reports_received"],
            row["reports_responded"],
            row["reports_overdue"],
            row["reports_status_unknown"],
            row["median_days_to_response"],
        )
        for row in figures_in(html)["organisations"]
    }
    expected_rows = {}
    for key, rows in per_organisation.items():
        days = [float(r["days"]) for r in rows if r["status"] == "responded" and r["days"]]
        expected_rows[key] = (
            len(rows),
            sum(r["status"] == "responded" for r in rows),
            sum(r["status"] == "overdue" for r in rows),
            sum(r["status"].startswith("unknown") for r in rows),
            round(statistics.median(days), 1) if days else None,
        )
    assert shown == expected_rows
    for key, (received, *_) in expected_rows.items():
        row = re.search(
            rf'<tr data-organisation-key="{re.escape(key)}">.*?</tr>', html, flags=re.S
        ).group(0)
        assert f'data-sort="{received}">{received}<' in row

    yearly = query(
        window_warehouse,
        """SELECT r.report_year, count(DISTINCT p.report_url)
            FROM main.fct_report_recipients p JOIN main.fct_reports r USING (report_url)
            WHERE p.current_organisation_type = ? GROUP BY 1 ORDER BY 1""",
        ["nhs_mental_health_trust"],
    )
    assert [(t["report_year"], t["reports_sent"]) for t in figures_in(html)["trend"]] == yearly
    assert "by current organisation; former names rolled up" in html


def test_national_report_counts_every_report(pfdw, window_warehouse, tmp_path):
    out = tmp_path / "all.html"
    code, _, stderr = pfdw("report", "--out", str(out))
    assert code == 0, stderr
    html = out.read_text()
    figures = figures_in(html)
    (total,) = query(window_warehouse, "SELECT count(*) FROM main.fct_reports")[0]
    assert figures["headline"]["reports_sent"] == total
    assert sum(row["reports"] for row in figures["areas"]) == total
    # Statuses as of 2015-12-31: every year up to the window is complete (a later year can only
    # come from a mistyped report date, and is partial by definition).
    assert not [r for r in figures["trend"] if r["is_partial"] and r["report_year"] <= 2015]
    assert '<svg class="chart" id="chart-trend"' in html and 'class="area-map"' in html


def test_a_year_cut_by_until_is_labelled_partial(pfdw, tmp_path):
    out = tmp_path / "until.html"
    assert pfdw("report", "--until", "2015-06-30", "--out", str(out))[0] == 0
    html = out.read_text()
    partial = {row["report_year"]: row["is_partial"] for row in figures_in(html)["trend"]}
    assert partial[2015] is True and partial[2014] is False
    assert '2015 <span class="partial">(partial year)</span>' in html


def test_area_and_period_filters_follow_the_marts(pfdw, window_warehouse, tmp_path):
    (area_key, area) = query(
        window_warehouse,
        "SELECT current_coroner_area_key, current_coroner_area FROM main.fct_reports "
        "WHERE current_coroner_area_key IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 1",
    )[0]
    out = tmp_path / "area.html"
    code, _, stderr = pfdw(
        "report",
        "--area",
        area,
        "--since",
        "2013-10-01",
        "--until",
        "2014-02-28",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    (expected,) = query(
        window_warehouse,
        "SELECT count(*) FROM main.fct_reports "
        "WHERE ? IN (current_coroner_area_key, coroner_area_key) AND "
        "coalesce(report_date, published_date) BETWEEN DATE '2013-10-01' AND DATE '2014-02-28'",
        [area_key],
    )[0]
    assert shown_headline(out.read_text())["reports_sent"] == expected


def test_names_of_the_deceased_stay_out_unless_asked_for(pfdw, window_warehouse, tmp_path):
    names = [
        name
        for (name,) in query(
            window_warehouse,
            "SELECT DISTINCT deceased_name FROM main.dim_deceased "
            "WHERE NOT is_redacted AND length(deceased_name) > 8",
        )
    ]
    assert names
    plain, named = tmp_path / "plain.html", tmp_path / "named.html"
    assert pfdw("report", "--out", str(plain))[0] == 0
    assert pfdw("report", "--out", str(named), "--with-names")[0] == 0
    plain_text, named_text = unescape(plain.read_text()), unescape(named.read_text())
    assert not [name for name in names if name in plain_text]
    assert [name for name in names if name in named_text]


def test_unknown_organisation_and_type_fail_with_what_was_wrong(pfdw):
    code, _, stderr = pfdw("report", "--org", "No Such Body Anywhere")
    assert code == 2 and "No organisation matches 'No Such Body Anywhere'" in stderr
    code, _, stderr = pfdw("report", "--org-type", "spaceships")
    assert code == 2 and "Unknown organisation type 'spaceships'" in stderr


def test_returns_section_appears_only_when_the_reconciliation_mart_holds_returns(
    pfdw, window_warehouse, tmp_path, monkeypatch
):
    without_mart = tmp_path / "without_mart.duckdb"
    shutil.copy(window_warehouse, without_mart)
    with duckdb.connect(str(without_mart)) as connection:
        connection.execute("DROP TABLE main.audit_returns_reconciliation")
    monkeypatch.setenv("PFDW_WAREHOUSE_PATH", str(without_mart))
    out = tmp_path / "without.html"
    assert pfdw("report", "--out", str(out))[0] == 0
    assert 'id="returns"' not in out.read_text()

    with_returns = tmp_path / "with_returns.duckdb"
    shutil.copy(window_warehouse, with_returns)
    with duckdb.connect(str(with_returns)) as connection:
        # dbt builds the mart even before any returns file is loaded: there, and empty.
        assert connection.execute(
            "SELECT count(*) FROM main.audit_returns_reconciliation"
        ).fetchone() == (0,)
        connection.execute(
            "INSERT INTO main.audit_returns_reconciliation BY NAME SELECT "
            "'row-1' AS return_row_id, 'organisation' AS return_kind, "
            "'Dept of Health' AS name_as_written, 'nb:x' AS resolved_key, "
            "'Department of Health' AS resolved_name, "
            "'government_department' AS organisation_type, "
            "DATE '2015-01-01' AS period_start, DATE '2015-12-31' AS period_end, "
            "'provided' AS outcome_category, 7 AS reported_count, 5 AS published_count, "
            "2 AS difference, 'reported but not published' AS direction"
        )
    monkeypatch.setenv("PFDW_WAREHOUSE_PATH", str(with_returns))
    out = tmp_path / "with.html"
    assert pfdw("report", "--out", str(out))[0] == 0
    html = out.read_text()
    assert 'id="returns"' in html and "reported but not published" in html
    assert figures_in(html)["returns"][0]["difference"] == 2
    out = tmp_path / "police.html"
    assert pfdw("report", "--org-type", "police", "--out", str(out))[0] == 0
    assert "No returns are recorded for the organisations or area in scope" in out.read_text()
