"""The report's own words in the marts, recipients from the text and from the answers, and
statuses that say what the capture can tell (real rows: tests/dbt/sample_warehouse.py)."""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.slow

BASE = "https://www.judiciary.uk/prevention-of-future-death-reports/"
JULIA = BASE + "julia-hayward/"  # 2015, no "sent to" line; the report text names DH
SASHA = BASE + "sasha-forster/"  # 2019, no "sent to" line; the text names a CCG and others
THELMA = BASE + "thelma-jones/"  # 2015, no line and no text; Brighton and Sussex answered
NEIL = BASE + "neil-edwards-prevention-of-future-deaths-report/"  # states "namely by ..."
ALEXANDER = BASE + "alexander-rogers-prevention-of-future-deaths-report/"  # no document links
ROBERT = BASE + "robert-fuller-prevention-of-future-deaths-report/"  # 02/04/2024, seen 2024-04-07


def query(warehouse, sql, params=None):
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return connection.execute(sql, params or []).fetchall()
    finally:
        connection.close()


def test_sections_of_every_text_reach_the_mart(text_sample_warehouse):
    rows = query(
        text_sample_warehouse,
        "select report_url, list(section_key order by section_number) "
        "from main.fct_report_sections group by report_url",
    )
    sections = dict(rows)
    assert set(sections) == {JULIA, SASHA, NEIL, ALEXANDER, ROBERT}
    assert "coroners_concerns" in sections[NEIL]
    assert sections[NEIL][-1] == "your_response"
    concerns = query(
        text_sample_warehouse,
        "select section_text, word_count from main.fct_report_sections "
        "where report_url = ? and section_key = 'coroners_concerns'",
        [NEIL],
    )
    assert concerns and concerns[0][1] > 20


def test_a_report_with_no_sent_to_line_takes_its_recipients_from_its_text(text_sample_warehouse):
    rows = query(
        text_sample_warehouse,
        "select recipient_source, recipient_raw from main.fct_report_recipients "
        "where report_url = ?",
        [JULIA],
    )
    assert rows, "the addressee block of the report should give a recipient"
    assert {source for source, _ in rows} == {"report_text"}
    assert any("Department of Health" in raw for _, raw in rows)
    assert query(
        text_sample_warehouse,
        "select recipient_source from main.fct_reports where report_url = ?",
        [JULIA],
    ) == [("report_text",)]


def test_a_report_naming_no_one_anywhere_takes_the_organisations_that_answered(
    text_sample_warehouse,
):
    rows = query(
        text_sample_warehouse,
        "select recipient_source, organisation_name, response_status "
        "from main.fct_report_recipients where report_url = ?",
        [THELMA],
    )
    assert rows == [
        ("response_document", "BRIGHTON AND SUSSEX UNIVERSITY HOSPITALS NHS TRUST", "responded")
    ] or [(source, status) for source, _, status in rows] == [("response_document", "responded")]


def test_the_deadline_the_report_states_is_its_due_date(text_sample_warehouse):
    rows = query(
        text_sample_warehouse,
        "select distinct due_date, due_date_source from main.fct_report_recipients "
        "where report_url = ?",
        [NEIL],
    )
    assert len(rows) == 1
    due_date, source = rows[0]
    assert source == "stated_in_report"
    stated = query(
        text_sample_warehouse,
        "select stated_response_due_date, stated_deadline_text "
        "from staging.stg_judiciary_pfd__report_texts where report_url = ?",
        [NEIL],
    )
    assert stated[0][0] == due_date
    assert due_date.strftime("%B") in stated[0][1] or str(due_date.day) in stated[0][1]


def test_a_page_captured_without_document_links_is_unknown_not_overdue(text_sample_warehouse):
    statuses = query(
        text_sample_warehouse,
        "select distinct response_status from main.fct_report_recipients where report_url = ?",
        [ALEXANDER],
    )
    assert statuses == [("unknown_not_captured",)]
    assert query(
        text_sample_warehouse,
        "select report_status from main.fct_reports where report_url = ?",
        [ALEXANDER],
    ) == [("unknown",)]


def test_a_page_captured_before_the_response_was_due_is_unknown(text_sample_warehouse):
    rows = query(
        text_sample_warehouse,
        "select distinct response_status, captured_on < due_date from main.fct_report_recipients "
        "where report_url in (?, ?)",
        [ROBERT, NEIL],
    )
    assert rows == [("unknown_captured_before_due", True)]


def test_no_recipient_is_overdue_where_the_capture_could_not_show_a_response(
    text_sample_warehouse, sample_warehouse
):
    for warehouse in (text_sample_warehouse, sample_warehouse):
        assert query(
            warehouse,
            "select count(*) from main.fct_report_recipients where response_status = 'overdue' "
            "and (capture_kind = 'no_document_links' or captured_on < due_date "
            "or unmatched_response_count_on_report > 0)",
        ) == [(0,)]


def test_days_to_respond_is_a_range_and_never_a_clamped_zero(text_sample_warehouse):
    rows = query(
        text_sample_warehouse,
        "select days_to_respond_low, days_to_respond_high, days_to_respond "
        "from main.fct_report_recipients where response_status = 'responded'",
    )
    assert rows
    for low, high, midpoint in rows:
        assert low <= high
        if low == 0:
            assert midpoint is None
        else:
            assert midpoint == (low + high) / 2
