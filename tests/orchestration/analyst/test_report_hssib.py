"""The report's HSSIB section (issue 12): every status as of the day the page was captured, the
capture date next to every figure, the deciding sentence shown escaped.

Fast tests use the hand-made contract warehouse plus hand-made HSSIB marts (the columns the two
q7 questions read); the slow test builds the real marts from a crawl of the snapshot's HSSIB
section beside ten real coroners' reports and checks the example page (issue 12's acceptance)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import duckdb
import pytest

from orchestration.analyst.report import _capture_label, _capture_range, _days_at_capture
from tests.orchestration.analyst.contract_warehouse import AMB, DHSC, build_contract_warehouse
from tests.orchestration.analyst.test_statuses_and_organisations import report

AS_OF = dt.date(2026, 2, 1)
RULES_VERSION = "2026-11-29"
MARKUP_EVIDENCE = "Agreed that DHSC will convene <b>a workshop</b> & map flows."

HSSIB_DDL = """
CREATE TABLE main.fct_safety_recommendations (
    recommendation_id VARCHAR, investigation_title VARCHAR, reference VARCHAR,
    recipient_position INTEGER, organisation_key VARCHAR, organisation_name VARCHAR,
    organisation_type VARCHAR, response_due_date DATE, days_to_response BIGINT,
    is_record_cut_off BOOLEAN, response_status VARCHAR, is_open BOOLEAN,
    days_overdue_at_capture BIGINT, captured_on DATE, capture_date_basis VARCHAR,
    is_capture_stale BOOLEAN, stale_after_days INTEGER, log_url VARCHAR, page_path VARCHAR,
    recommendation_text VARCHAR, as_of_date DATE);
CREATE TABLE main.fct_recommendation_actions (
    action_id VARCHAR, recommendation_id VARCHAR, investigation_title VARCHAR, reference VARCHAR,
    organisation_keys VARCHAR[], organisation_names VARCHAR[], action_position INTEGER,
    action_description VARCHAR, due_text VARCHAR, due_date DATE,
    reported_state_rule_id VARCHAR, reported_state_evidence VARCHAR,
    reported_state_evidence_source VARCHAR, state_rules_version VARCHAR, captured_on DATE,
    capture_date_basis VARCHAR, action_status VARCHAR, days_past_due_at_capture BIGINT,
    is_text_cut_off BOOLEAN, log_url VARCHAR, page_path VARCHAR, as_of_date DATE);
"""

# recommendation: (recipients, status, captured on, basis, stale, response due, days overdue)
RECOMMENDATIONS = {
    "example": ([DHSC], "responded", dt.date(2025, 8, 25), "on_or_after", True, None, None),
    "old": ([DHSC], "responded", dt.date(2024, 3, 1), "crawl", True, None, None),
    "open": (
        [DHSC],
        "no_response_at_capture",
        dt.date(2024, 1, 1),
        "on_or_after",
        True,
        None,
        None,
    ),
    "late": ([DHSC], "overdue_at_capture", dt.date(2024, 6, 9), "crawl", True, "2024-05-30", 10),
    "cut": ([DHSC], "not_captured", dt.date(2024, 1, 1), "on_or_after", True, None, None),
    "shut": ([DHSC], "closed", dt.date(2024, 1, 1), "on_or_after", True, None, None),
    "joint": ([DHSC, AMB], "responded", dt.date(2025, 12, 1), "crawl", False, None, None),
}
# action: (recommendation, position, status, due text, due date, days, rule, evidence, source)
ACTIONS = [
    ("example", 1, "reported_done", "by May 2025", "2025-05-31", None, "done_taken_place",
     "This meeting has taken place.", "additional_comments"),
    ("example", 2, "in_progress", "by June 2025", "2025-06-30", 56, "progress_agreed",
     MARKUP_EVIDENCE, "additional_comments"),
    ("example", 3, "due_after_capture", "by Autumn 2025", "2025-11-30", None, None, None, None),
    ("example", 4, "no_due_date", None, None, None, None, None, None),
    ("old", 1, "overdue_at_capture", "by September 2022", "2022-09-30", 518, None, None, None),
    ("old", 2, "reported_delayed", "by March 2024", "2024-03-31", None, "delay_stated",
     "The review has been delayed.", "additional_comments"),
    ("old", 3, "not_yet_planned", "by 2027", "2027-12-31", None, None, None, None),
    ("joint", 1, "due_after_capture", "by March 2026", "2026-03-31", None, None, None, None),
]  # fmt: skip
NAMES = {DHSC: "Department of Health and Social Care", AMB: "Somewhere Ambulance Service NHS Trust"}
TYPES = {DHSC: "government_department", AMB: "nhs_ambulance_trust"}


def add_hssib_marts(path: Path) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute(HSSIB_DDL)
        for rec, (keys, status, captured, basis, stale, due, days) in RECOMMENDATIONS.items():
            for position, key in enumerate(keys, start=1):
                connection.execute(
                    "INSERT INTO main.fct_safety_recommendations VALUES "
                    "(?, ?, NULL, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, 180, ?, ?, ?, ?)",
                    [rec, f"Investigation {rec}", position, key, NAMES[key], TYPES[key], due,
                     status == "not_captured", status,
                     status in ("no_response_at_capture", "awaiting_at_capture",
                                "overdue_at_capture"),
                     days, captured, basis, stale, f"https://www.hssib.org.uk/log/{rec}/",
                     f"/{rec}", f"Recommendation {rec}.", AS_OF],
                )  # fmt: skip
        for rec, position, status, due_text, due, days, rule, evidence, source in ACTIONS:
            keys, _, captured, basis, *_ = RECOMMENDATIONS[rec]
            connection.execute(
                "INSERT INTO main.fct_recommendation_actions VALUES "
                "(?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?, ?, ?)",
                [f"{rec}-{position}", rec, f"Investigation {rec}", keys, [NAMES[k] for k in keys],
                 position, f"Action {position} of {rec}.", due_text, due, rule, evidence, source,
                 RULES_VERSION, captured, basis, status, days,
                 f"https://www.hssib.org.uk/log/{rec}/", f"/{rec}", AS_OF],
            )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def hssib_contract(tmp_path_factory) -> Path:
    path = build_contract_warehouse(tmp_path_factory.mktemp("hssib_contract") / "pfd.duckdb")
    return add_hssib_marts(path)


def hssib_section(html: str) -> str:
    return html[html.index('<section id="hssib">') : html.index('<section id="method">')]


def items_table(html: str) -> list[str]:
    table = html[html.index('id="hssib-open-items"') :]
    table = table[: table.index("</table>")]
    return [unescape(re.sub(r"<[^>]+>", " ", row)) for row in table.split("<tr")[2:]]


def test_counts_by_response_and_action_status_as_captured(hssib_contract, tmp_path):
    _, figures = report(hssib_contract, tmp_path / "dhsc.html", org=DHSC)
    [dhsc] = figures["hssib"]
    statuses = [RECOMMENDATIONS[rec][1] for rec in RECOMMENDATIONS]
    actions = [action[2] for action in ACTIONS]
    assert dhsc["organisation_key"] == DHSC
    assert dhsc["recommendations"] == len(RECOMMENDATIONS)
    for status in ("responded", "closed", "not_captured", "no_response_at_capture"):
        assert dhsc[status] == statuses.count(status), status
    assert dhsc["overdue_at_capture"] == 1 and dhsc["awaiting_at_capture"] == 0
    assert dhsc["unanswered"] == 2  # no response at capture, overdue at capture
    # not_yet_planned (the response came after as_of) is counted apart, never as planned
    assert dhsc["planned_actions"] == len(actions) - 1
    assert dhsc["actions_not_yet_planned"] == 1
    assert (
        dhsc["actions_reported_done"],
        dhsc["actions_reported_delayed"],
        dhsc["actions_in_progress"],
        dhsc["actions_due_after_capture"],
        dhsc["actions_overdue_at_capture"],
        dhsc["actions_without_due_date"],
    ) == (1, 1, 1, 2, 1, 1)
    assert (dhsc["captured_from"], dhsc["captured_to"]) == ("2024-01-01", "2025-12-01")
    assert dhsc["is_capture_lower_bound"] is True
    assert dhsc["stale_recommendations"] == 6
    assert dhsc["state_rules_version"] == RULES_VERSION


def test_items_list_open_and_reported_actions_with_evidence_and_capture(hssib_contract, tmp_path):
    html, figures = report(hssib_contract, tmp_path / "dhsc.html", org=DHSC)
    listed = {(item["item_kind"], item["status"]) for item in figures["hssib_items"]}
    assert listed == {
        ("recommendation", "no_response_at_capture"),
        ("recommendation", "overdue_at_capture"),
        ("recommendation", "not_captured"),
        ("action", "reported_done"),
        ("action", "in_progress"),
        ("action", "due_after_capture"),
        ("action", "overdue_at_capture"),
        ("action", "reported_delayed"),
    }
    # two due after capture (one on the joint recommendation); no_due_date and not_yet_planned
    # are counted, not listed; responded and closed recommendations are not items
    assert len(figures["hssib_items"]) == 9
    rows = items_table(html)
    done = next(row for row in rows if "reported done" in row)
    assert "This meeting has taken place." in done and "the body's update" in done
    assert "captured on or after 25 Aug 2025" in done
    progress = next(row for row in rows if "in progress" in row)
    assert "due date passed at least 56 days before the capture" in progress
    overdue = next(row for row in rows if "Action 1 of old" in row)
    # a crawl capture is exact: no "at least", and the capture day is stated
    assert "overdue at capture" in overdue
    assert "due date passed 518 days before the capture" in overdue
    assert "as captured on 1 Mar 2024" in overdue and "no update reported" in overdue
    awaiting = [row for row in rows if "due after capture: awaiting an update" in row]
    assert len(awaiting) == 2 and any("as captured on 1 Dec 2025" in row for row in awaiting)


def test_scraped_text_is_escaped_and_nothing_is_past_due_as_of_today(hssib_contract, tmp_path):
    html, _ = report(hssib_contract, tmp_path / "dhsc.html", org=DHSC)
    section = hssib_section(html)
    assert "<b>a workshop</b>" not in section
    assert "&lt;b&gt;a workshop&lt;/b&gt; &amp; map flows." in section
    assert "past due" not in section.lower()
    # the capture days beside the figures: the whole range, and per organisation
    assert "captured on or after 1 Jan 2024 – 1 Dec 2025" in unescape(section)
    assert 'id="hssib-stale"' in section
    assert "captured more than 180 days before" in section


def test_a_joint_recommendations_actions_count_for_each_recipient(hssib_contract, tmp_path):
    _, figures = report(hssib_contract, tmp_path / "amb.html", org=AMB)
    [amb] = figures["hssib"]
    assert (amb["recommendations"], amb["responded"], amb["planned_actions"]) == (1, 1, 1)
    assert amb["actions_due_after_capture"] == 1
    assert (amb["captured_from"], amb["captured_to"], amb["is_capture_lower_bound"]) == (
        "2025-12-01",
        "2025-12-01",
        False,
    )
    assert [item["status"] for item in figures["hssib_items"]] == ["due_after_capture"]


def test_no_hssib_section_without_the_hssib_marts(tmp_path):
    warehouse = build_contract_warehouse(tmp_path / "pfd.duckdb")
    html, figures = report(warehouse, tmp_path / "national.html")
    assert 'id="hssib"' not in html
    assert figures["hssib"] == [] and figures["hssib_items"] == []


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        (_capture_label(dt.date(2025, 8, 25), "crawl"), "as captured on 25 Aug 2025"),
        (_capture_label(dt.date(2024, 1, 1), "on_or_after"), "captured on or after 1 Jan 2024"),
        (_capture_label(None, "crawl"), "capture date unknown"),
        (
            _capture_range(dt.date(2024, 1, 1), dt.date(2024, 1, 1), True),
            "captured on or after 1 Jan 2024",
        ),
        (
            _capture_range(dt.date(2024, 1, 1), dt.date(2025, 8, 25), False),
            "as captured 1 Jan 2024 – 25 Aug 2025",
        ),
        (
            _days_at_capture(458, "on_or_after"),
            "due date passed at least 458 days before the capture",
        ),
        (_days_at_capture(1, "crawl"), "due date passed 1 day before the capture"),
        (_days_at_capture(0, "on_or_after"), "due on the capture day"),
        (_days_at_capture(None, "crawl"), ""),
    ],
)
def test_capture_wording(label, expected):
    assert label == expected


# --- the real marts -----------------------------------------------------------------------------

REAL_DHSC = "nb:department-of-health-and-social-care"
EXAMPLE_PAGE = "/mental-health-inpatient-settings/example-page"


@pytest.fixture(scope="module")
def real_hssib_warehouse(hssib_sample) -> Path:
    assert hssib_sample.as_of == AS_OF.isoformat()
    return hssib_sample.warehouse


def query(warehouse: Path, sql: str, parameters=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


@pytest.mark.slow
def test_real_marts_figures_equal_sql_and_the_example_page_reads_as_captured(
    real_hssib_warehouse, tmp_path
):
    html, figures = report(real_hssib_warehouse, tmp_path / "dhsc.html", org=REAL_DHSC)
    # Written independently of orchestration/analyst/questions: plain SQL on the marts.
    expected = query(
        real_hssib_warehouse,
        """SELECT count(*), count(*) FILTER (WHERE response_status = 'responded'),
                  count(*) FILTER (WHERE is_open),
                  count(*) FILTER (WHERE response_status = 'no_response_at_capture'),
                  min(captured_on)::varchar, max(captured_on)::varchar
           FROM main.fct_safety_recommendations WHERE organisation_key = ?""",
        [REAL_DHSC],
    )[0]
    actions = dict(
        query(
            real_hssib_warehouse,
            """SELECT action_status, count(*) FROM main.fct_recommendation_actions
               WHERE list_contains(organisation_keys, ?) GROUP BY ALL""",
            [REAL_DHSC],
        )
    )
    [shown] = figures["hssib"]
    assert (
        shown["recommendations"],
        shown["responded"],
        shown["unanswered"],
        shown["no_response_at_capture"],
        shown["captured_from"],
        shown["captured_to"],
    ) == expected
    for status, column in (
        ("reported_done", "actions_reported_done"),
        ("in_progress", "actions_in_progress"),
        ("due_after_capture", "actions_due_after_capture"),
        ("overdue_at_capture", "actions_overdue_at_capture"),
        ("no_due_date", "actions_without_due_date"),
    ):
        assert shown[column] == actions.get(status, 0), column
    # DHSC's real log: 9 recommendations; the example page (response received 25 Aug 2025)
    assert shown["recommendations"] == 9
    example = [
        (item["action_position"], item["status"], item["captured_on"])
        for item in figures["hssib_items"]
        if item["item_kind"] == "action" and item["page_path"].endswith(EXAMPLE_PAGE)
    ]
    assert sorted(example) == [
        (1, "reported_done", "2025-08-25"),
        (2, "in_progress", "2025-08-25"),
        (3, "due_after_capture", "2025-08-25"),
        (4, "due_after_capture", "2025-08-25"),
    ]
    section = unescape(hssib_section(html))
    assert "This meeting has taken place" in section
    assert "by November - December 2025" in section
    assert "captured on or after 25 Aug 2025" in section
    assert "past due" not in section.lower()


@pytest.mark.slow
def test_real_section_stays_out_for_an_organisation_without_recommendations(
    real_hssib_warehouse, tmp_path
):
    (trust,) = query(
        real_hssib_warehouse,
        "SELECT organisation_key FROM main.fct_report_recipients "
        "WHERE organisation_key LIKE 'ods:%' ORDER BY organisation_key LIMIT 1",
    )[0]
    html, figures = report(real_hssib_warehouse, tmp_path / "trust.html", org=trust)
    assert 'id="hssib"' not in html
    assert figures["hssib"] == [] and figures["hssib_items"] == []
