"""Issue 11 on the analyst side, against a hand-made warehouse with the mart contract's columns
(tests/orchestration/analyst/contract_warehouse.py): the unknown share beside every overdue
figure, current organisations by default (as named on request), and the recipient source."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.analyst import charts, commands
from orchestration.analyst.questions import ScopeVariables, run_question
from orchestration.analyst.scope import ScopeError, build_scope, resolve_recipient_sources
from tests.orchestration.analyst.contract_warehouse import (
    AMB,
    MARKUP,
    NEW,
    OLD1,
    OLD2,
    RECIPIENTS,
    build_contract_warehouse,
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_contract_warehouse(tmp_path_factory.mktemp("contract") / "pfd.duckdb")


@pytest.fixture
def connection(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield con


def report(warehouse: Path, out: Path, **options) -> tuple[str, dict]:
    """`pfdw report` through its command function; returns the HTML and its embedded figures."""
    args = argparse.Namespace(
        warehouse=warehouse,
        data_dir=out.parent / "data",
        org_type=None,
        org=None,
        area=None,
        since=None,
        until=None,
        out=out,
        with_names=False,
        open=False,
        recipient_source=None,
        as_named=False,
    )
    for name, value in options.items():
        setattr(args, name, value)
    assert commands.command_report(args) == 0
    html = out.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="report-figures">(.*?)</script>', html)
    return html, json.loads(found.group(1))


def by_key(rows: list[dict]) -> dict[str, dict]:
    return {row["organisation_key"]: row for row in rows}


# --- the unknown share beside overdue ------------------------------------------------------------


def test_headline_counts_unknown_and_possibly_answered_beside_overdue(connection):
    [headline] = run_question(connection, "q1_headline", ScopeVariables(as_named=True))
    statuses = [recipient[4] for recipient in RECIPIENTS]
    assert headline["report_recipient_pairs"] == len(RECIPIENTS)
    assert headline["overdue"] == statuses.count("overdue")
    assert headline["unknown_not_captured"] == 1 and headline["unknown_captured_before_due"] == 1
    assert headline["status_unknown"] == 2
    assert headline["possibly_answered"] == statuses.count("possibly_answered")
    parts = ("responses_published", "possibly_answered", "overdue", "status_unknown", "pending")
    assert sum(headline[part] for part in parts) == headline["report_recipient_pairs"]
    assert headline["status_unknown_share"] == round(2 / len(RECIPIENTS), 4)
    assert headline["overdue_share"] == round(statuses.count("overdue") / len(RECIPIENTS), 4)


def test_report_headline_shows_the_unknown_share_next_to_overdue(warehouse, tmp_path):
    html, figures = report(warehouse, tmp_path / "all.html")
    headline = figures["headline"]
    cards = re.search(r'<div class="cards">(.*?)</div>\s*<p', html, flags=re.S).group(1)
    shown = dict(re.findall(r'data-figure="(\w+)">([\d,]+)<', cards))
    assert int(shown["overdue"]) == headline["overdue"]
    assert int(shown["status_unknown"]) == headline["status_unknown"] == 2
    # The unknown card stands right after the overdue one, each with its share of the pairs.
    assert list(shown).index("status_unknown") == list(shown).index("overdue") + 1
    shares = dict(re.findall(r'data-share="(\w+)">([^<]+)<', cards))
    for share in ("status_unknown_share", "overdue_share"):
        assert shares[share] == f"{100 * headline[share]:.0f}% of pairs"
    assert "captured without their document links" in html


def test_trend_data_and_chart_stack_unknown_beside_overdue(warehouse, tmp_path):
    html, figures = report(warehouse, tmp_path / "trend.html")
    year_2024 = next(row for row in figures["trend"] if row["report_year"] == 2024)
    # 2024: r3 captured before due, r4 captured without links, r5 overdue (two bodies), r11 answered
    assert (year_2024["status_unknown"], year_2024["overdue"]) == (2, 2)
    assert year_2024["responses_published"] == 1
    assert year_2024["status_unknown_share"] == round(2 / 5, 4)
    for row in figures["trend"]:
        parts = ("responses_published", "possibly_answered", "overdue", "status_unknown", "pending")
        assert sum(row[part] for part in parts) == row["report_recipient_pairs"], row
    chart = re.search(r'<svg class="chart" id="chart-responses".*?</svg>', html, flags=re.S)
    assert chart is not None
    for label in ("responded", "possibly answered", "overdue", "status unknown", "pending"):
        assert f">{label}<" in chart.group(0), label
    assert charts.status_shares(year_2024) == "40%\n40%"


def test_organisation_median_leaves_out_same_month_answers(connection):
    rows = by_key(run_question(connection, "q2_organisation_responses", ScopeVariables()))
    trust = rows[NEW]
    # r1 answered in 25-55 days (midpoint 40); r2 answered in its own month: not a 0 in the median.
    assert trust["reports_responded"] == 2
    assert trust["responses_timed"] == 1 and trust["responses_same_month"] == 1
    assert trust["median_days_to_response"] == 40.0
    assert trust["reports_status_unknown"] == 2 and trust["reports_overdue"] == 2
    assert trust["share_status_unknown"] == round(2 / trust["reports_received"], 4)


COMPLIANCE_MODEL = (
    Path(__file__).resolve().parents[3]
    / "dbt_project/models/marts/audit/audit_organisation_compliance.sql"
)


def test_compliance_mart_counts_unknown_and_possibly_answered_and_a_median_without_zeros(
    connection,
):
    # The model reads one ref and no macro: run its SQL on the hand-made fact table.
    sql = COMPLIANCE_MODEL.read_text().replace(
        "{{ ref('fct_report_recipients') }}", "main.fct_report_recipients"
    )
    assert "{{" not in sql
    relation = connection.execute(sql)
    columns = [column[0] for column in relation.description]
    rows = {
        (row["organisation_key"], row["report_year"]): row
        for row in (dict(zip(columns, values, strict=True)) for values in relation.fetchall())
    }
    old_north = rows[(OLD1, 2015)]
    assert old_north["current_organisation_key"] == NEW
    assert (old_north["reports_responded"], old_north["responses_timed"]) == (2, 1)
    assert old_north["median_days_to_respond"] == 40
    trust_2024 = rows[(NEW, 2024)]
    assert (trust_2024["reports_status_unknown"], trust_2024["reports_overdue"]) == (2, 1)
    assert rows[(AMB, 2023)]["reports_possibly_answered"] == 1
    assert rows[(AMB, 2014)]["reports_from_response_document"] == 1
    for row in rows.values():
        parts = (
            "reports_responded",
            "reports_possibly_answered",
            "reports_overdue",
            "reports_status_unknown",
            "reports_pending",
        )
        assert sum(row[part] for part in parts) == row["reports_received"], row


# --- current organisations by default, as named on request ---------------------------------------


def test_questions_show_current_organisations_when_no_variable_is_set(warehouse):
    from orchestration.analyst.questions import question_sql

    with duckdb.connect(str(warehouse), read_only=True) as fresh:
        rows = fresh.execute(question_sql("q2_organisation_responses")).fetchall()
    keys = {row[0] for row in rows}
    assert NEW in keys and not {OLD1, OLD2} & keys


def test_a_merged_trust_rolls_up_to_its_successor_by_default(connection):
    current = by_key(run_question(connection, "q2_organisation_responses", ScopeVariables()))
    named = by_key(
        run_question(connection, "q2_organisation_responses", ScopeVariables(as_named=True))
    )
    assert OLD1 not in current and OLD2 not in current
    assert current[NEW]["former_names"] == (
        "Old North Mental Health NHS Trust; Old South Community NHS Trust"
    )
    assert (named[OLD1]["reports_received"], named[OLD2]["reports_received"]) == (2, 2)
    assert named[NEW]["reports_received"] == 4 and named[NEW]["former_names"] is None
    # r2 names both former trusts: once for the successor, answered because one of them answered.
    assert current[NEW]["reports_received"] == 7
    assert current[NEW]["reports_responded"] == 2
    assert named[OLD1]["reports_responded"] + named[OLD2]["reports_responded"] == 2
    assert named[OLD2]["reports_overdue"] == 2 and current[NEW]["reports_overdue"] == 2
    [current_headline] = run_question(connection, "q1_headline", ScopeVariables())
    [named_headline] = run_question(connection, "q1_headline", ScopeVariables(as_named=True))
    assert current_headline["organisations"] == named_headline["organisations"] - 2
    assert current_headline["organisations_shown"] == "current_organisation"
    assert named_headline["organisations_shown"] == "as_named"


def test_organisation_type_filter_uses_the_current_type_by_default(connection):
    mental_health = ("nhs_mental_health_trust",)
    current = run_question(connection, "q1_headline", ScopeVariables(org_types=mental_health))[0]
    named = run_question(
        connection, "q1_headline", ScopeVariables(org_types=mental_health, as_named=True)
    )[0]
    # r7 went only to Old South Community NHS Trust: a community trust then, a mental health
    # trust's former name now.
    assert current["reports_sent"] == 7
    assert named["reports_sent"] == 6


def test_org_naming_a_former_trust_reports_on_its_successor_unless_as_named(connection):
    scope = build_scope(connection, org="Old North Mental Health NHS Trust")
    assert scope.variables.org_keys == (NEW,)
    assert scope.title.startswith("New Mental Health NHS Foundation Trust (successor of Old North")
    named = build_scope(connection, org="Old North Mental Health NHS Trust", as_named=True)
    assert named.variables.org_keys == (OLD1,) and "as named at the time" in named.title
    [current_headline] = run_question(connection, "q1_headline", scope.variables)
    [named_headline] = run_question(connection, "q1_headline", named.variables)
    assert (current_headline["reports_sent"], named_headline["reports_sent"]) == (7, 2)


def test_report_says_how_organisations_are_shown(warehouse, tmp_path):
    html, figures = report(warehouse, tmp_path / "current.html", org_type=["mental_health_trust"])
    assert "by current organisation; former names rolled up" in html
    assert figures["organisations_shown"] == "current_organisation"
    assert [row["organisation_key"] for row in figures["organisations"]] == [NEW]
    assert "including Old North Mental Health NHS Trust; Old South Community NHS Trust" in html
    html, figures = report(
        warehouse, tmp_path / "named.html", org_type=["mental_health_trust"], as_named=True
    )
    assert "as named at the time" in html and figures["organisations_shown"] == "as_named"
    assert {row["organisation_key"] for row in figures["organisations"]} == {NEW, OLD1}


def test_report_list_names_the_former_trust_and_says_each_status_in_words(connection):
    rows = {
        row["report_url"].rstrip("/").rsplit("/", 1)[1]: row
        for row in run_question(connection, "report_list", ScopeVariables())
    }
    assert rows["r2"]["recipients_in_scope"] == (
        "New Mental Health NHS Foundation Trust (named as Old North Mental Health NHS Trust; "
        "Old South Community NHS Trust): responded"
    )
    assert rows["r4"]["recipients_in_scope"].endswith("unknown, page captured without documents")
    assert rows["r3"]["recipients_in_scope"].endswith("unknown, page captured before due")
    assert rows["r4"]["capture_kind"] == "no_document_links"
    assert rows["r2"]["due_date_source"] == "stated_in_report"


# --- recipient source -----------------------------------------------------------------------------


def test_recipient_source_filter_keeps_only_those_recipients(connection):
    answers = ScopeVariables(recipient_sources=("response_document",))
    [headline] = run_question(connection, "q1_headline", answers)
    assert (headline["reports_sent"], headline["report_recipient_pairs"]) == (1, 1)
    assert [
        row["organisation_key"]
        for row in run_question(connection, "q2_organisation_responses", answers)
    ] == [AMB]
    text_or_header = ScopeVariables(recipient_sources=("header", "report_text"))
    amb = by_key(run_question(connection, "q2_organisation_responses", text_or_header))[AMB]
    assert amb["reports_received"] == 2 and amb["reports_from_response_document"] == 0
    every = by_key(run_question(connection, "q2_organisation_responses", ScopeVariables()))
    assert (every[AMB]["reports_from_header"], every[AMB]["reports_from_response_document"]) == (
        2,
        1,
    )
    assert every[NEW]["reports_from_report_text"] == 1


def test_report_counts_recipients_by_source(warehouse, tmp_path):
    html, figures = report(warehouse, tmp_path / "sources.html")
    sources = {row["recipient_source"]: row for row in figures["recipient_sources"]}
    expected = {}
    for _, _, _, source, *_ in RECIPIENTS:
        expected[source] = expected.get(source, 0) + 1
    assert {k: v["report_recipient_pairs"] for k, v in sources.items() if k != "none"} == expected
    assert sources["none"]["reports"] == 1  # r10 names no one anywhere
    assert 'data-recipient-source="report_text"' in html

    html, figures = report(
        warehouse, tmp_path / "header.html", recipient_source="header,report_text"
    )
    assert figures["headline"]["reports_sent"] == 9
    assert "only those taken from <strong>the page header, the report&#39;s text</strong>" in html


def test_recipient_sources_accept_aliases_and_name_the_valid_ones():
    assert resolve_recipient_sources("answers, header") == ("header", "response_document")
    assert resolve_recipient_sources(["text", "report_text"]) == ("report_text",)
    with pytest.raises(ScopeError, match=r"'letters'.*header, report_text, response_document"):
        resolve_recipient_sources("header,letters")


def test_sql_command_takes_the_new_variables_as_bound_values(warehouse, capsys):
    args = argparse.Namespace(
        warehouse=warehouse,
        data_dir=None,
        file=Path("q2_organisation_responses"),
        query=None,
        var=[("as_named", "yes"), ("recipient_sources", "header,report_text")],
        format="json",
        max_rows=200,
        with_names=False,
    )
    assert commands.command_sql(args) == 0
    keys = {row["organisation_key"] for row in json.loads(capsys.readouterr().out)}
    assert {OLD1, OLD2, NEW} <= keys
    args.var = [("as_named", "maybe")]
    with pytest.raises(ValueError, match="as_named=maybe: use true or false"):
        commands.command_sql(args)


# --- escaping and binding stay as they were -------------------------------------------------------


def test_report_text_columns_are_withheld_like_names():
    from orchestration.analyst.warehouse import withhold_name_columns

    columns, rows, withheld = withhold_name_columns(
        ["report_url", "section_key", "section_text"], [("u", "circumstances_of_death", "Mr X")]
    )
    assert columns == ["report_url", "section_key"] and rows == [("u", "circumstances_of_death")]
    assert withheld == ["section_text"]


def test_names_reach_the_page_escaped_and_user_text_never_reaches_sql_text(warehouse, tmp_path):
    html, figures = report(warehouse, tmp_path / "escaped.html")
    assert "<script>alert(1)</script>" not in html
    assert "Smith &amp; Jones &lt;script&gt;alert(1)&lt;/script&gt; Care" in html
    assert MARKUP in {row["organisation_key"] for row in figures["organisations"]}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        with pytest.raises(ScopeError, match="No organisation matches"):
            build_scope(connection, org="x' OR 1=1 --")
        with pytest.raises(ScopeError, match="Unknown recipient source"):
            build_scope(connection, recipient_sources="header'; DROP TABLE x; --")


def test_pfdw_report_takes_as_named_and_recipient_source(warehouse, tmp_path, capsys):
    from orchestration.cli import main

    out = tmp_path / "cli.html"
    code = main(
        [
            "report",
            "--warehouse",
            str(warehouse),
            "--data-dir",
            str(tmp_path / "data"),
            "--as-named",
            "--recipient-source",
            "header,report_text",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    assert "as named at the time" in html and "only those taken from" in html
    code = main(["report", "--warehouse", str(warehouse), "--recipient-source", "letters"])
    assert code == 2 and "Unknown recipient source 'letters'" in capsys.readouterr().err
