"""Issue 15 on the analyst side, against the hand-made contract warehouse and its three FOI marts
(tests/orchestration/analyst/contract_warehouse.py): the report's FOI section (figures equal SQL
on the marts, the lists behind them, names withheld by default, everything escaped, one sentence
when no campaign is loaded) and `pfdw foi status` (who is late, as a table, CSV or JSON)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
from html import unescape
from pathlib import Path

import duckdb
import pytest

from orchestration.analyst.foi_status import command_foi_status
from tests.orchestration.analyst.contract_warehouse import (
    AMB,
    DECEASED,
    MARKUP,
    NEW,
    ORGANISATIONS,
    build_contract_warehouse,
)
from tests.orchestration.analyst.test_statuses_and_organisations import report

FOI_MARTS = ("audit_foi_campaign", "audit_foi_report_reconciliation", "fct_foi_requests")
# Written independently of the question files: plain SQL on the campaign mart.
CAMPAIGN_TOTALS = """
    SELECT count(*) FILTER (WHERE asked), count(*) FILTER (WHERE answered),
           count(*) FILTER (WHERE refused), count(*) FILTER (WHERE refused_citing_website),
           count(*) FILTER (WHERE late), count(*) FILTER (WHERE answer_matches_exactly),
           sum(reports_missing_from_site), sum(reports_not_located)
    FROM main.audit_foi_campaign"""
FIGURES = (
    "asked",
    "answered",
    "refused",
    "refused_citing_website",
    "late",
    "answer_matches_exactly",
    "reports_missing_from_site",
    "reports_not_located",
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_contract_warehouse(tmp_path_factory.mktemp("foi_contract") / "pfd.duckdb")


@pytest.fixture(scope="module")
def campaign_report(warehouse, tmp_path_factory) -> tuple[str, dict]:
    return report(warehouse, tmp_path_factory.mktemp("foi_report") / "report.html")


def foi_section(html: str) -> str:
    start = html.index('<section id="foi">')
    return html[start : html.index("</section>", start)]


def shown_figures(section: str) -> dict[str, int]:
    return {
        name: int(value.replace(",", ""))
        for name, value in re.findall(r'data-foi-figure="(\w+)">([\d,]+)<', section)
    }


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_campaign_figures_equal_sql_on_the_marts(warehouse, campaign_report):
    html, figures = campaign_report
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = dict(zip(FIGURES, con.execute(CAMPAIGN_TOTALS).fetchone(), strict=True))
    assert shown_figures(foi_section(html)) == expected
    assert {k: figures["foi"]["totals"][k] for k in FIGURES} == expected
    assert expected["refused_citing_website"] == 1 and expected["answer_matches_exactly"] == 1


def test_each_body_has_its_outcome_and_a_refusal_has_no_counts(campaign_report):
    html, figures = campaign_report
    rows = {row["organisation_key"]: row for row in figures["foi"]["organisations"]}
    assert set(rows) == {NEW, AMB, MARKUP, "nb:dhsc"}
    assert rows[AMB]["refused_citing_website"] and rows[AMB]["reports_not_located"] is None
    section = foi_section(html)
    ambulance = re.search(r'<tr data-organisation-key="ods:AMB">(.*?)</tr>', section, re.S)
    assert "refused (s21: the website)" in text(ambulance.group(1))
    assert text(ambulance.group(1)).endswith("– – –")  # never zeros
    late = re.search(rf'<tr data-organisation-key="{MARKUP}">(.*?)</tr>', section, re.S)
    assert "late: 42 working days past due" in text(late.group(1))


def test_the_lists_behind_the_figures_link_published_reports_only(campaign_report):
    html, figures = campaign_report
    findings = [(r["organisation_key"], r["finding"], r["ref"]) for r in figures["foi"]["findings"]]
    assert findings == [
        (NEW, "published_not_located", "2024-0004"),
        (NEW, "received_not_published", "2015-9999"),
    ]
    section = foi_section(html)
    assert (
        'href="https://www.judiciary.uk/prevention-of-future-death-reports/r5/">2024-0004</a>'
        in section
    )
    unpublished = re.search(r'<tr data-finding="received_not_published">(.*?)</tr>', section, re.S)
    assert "href" not in unpublished.group(1) and "2015-9999" in unpublished.group(1)
    # who is late comes first in the request list
    requests = section[section.index('<table id="foi-requests">') :]
    first = re.search(r"<tbody><tr( data-late=\"true\")?>(.*?)</tr>", requests, re.S)
    assert first.group(1) and "42" in first.group(2)


def test_names_are_withheld_by_default_and_shown_with_names(warehouse, campaign_report, tmp_path):
    html, figures = campaign_report
    name = DECEASED["r5"]  # r5 is the report the trust could not locate
    assert name not in html
    assert "Names of the deceased are left out" in foi_section(html)
    named_html, named_figures = report(warehouse, tmp_path / "named.html", with_names=True)
    assert name in foi_section(named_html)
    assert name not in json.dumps(named_figures["foi"])  # the figures never carry names


def test_everything_in_the_section_is_escaped(campaign_report):
    html, _ = campaign_report
    section = foi_section(html)
    assert "<script>alert(1)</script>" not in section and "S&J <1>" not in section
    assert "Smith &amp; Jones &lt;script&gt;alert(1)&lt;/script&gt; Care" in section
    assert "S&amp;J &lt;1&gt;" in section


def test_no_campaign_loaded_is_one_sentence_not_zeros(warehouse, tmp_path):
    empty = shutil.copy(warehouse, tmp_path / "empty.duckdb")
    with duckdb.connect(str(empty)) as con:
        for table in FOI_MARTS:
            con.execute(f"DELETE FROM main.{table}")  # noqa: S608 (test constants)
    html, figures = report(Path(empty), tmp_path / "empty.html")
    section = foi_section(html)
    assert 'id="foi-not-loaded"' in section and "No FOI campaign is loaded" in section
    assert "data-foi-figure" not in section and "<table" not in section
    assert figures["foi"] is None
    with duckdb.connect(str(empty)) as con:  # an older warehouse without the marts at all
        for table in FOI_MARTS:
            con.execute(f"DROP TABLE main.{table}")  # noqa: S608
    assert 'id="foi-not-loaded"' in report(Path(empty), tmp_path / "old.html")[0]


def test_the_section_follows_the_organisation_scope(warehouse, tmp_path):
    html, figures = report(warehouse, tmp_path / "mh.html", org_type=["mental_health_trust"])
    assert [row["organisation_key"] for row in figures["foi"]["organisations"]] == [NEW]
    assert shown_figures(foi_section(html))["asked"] == 1
    police, _ = report(warehouse, tmp_path / "police.html", org_type=["police"])
    assert 'id="foi-not-in-scope"' in foi_section(police)
    assert "4 bodies asked in all" in text(foi_section(police))


# --- pfdw foi status ----------------------------------------------------------------------------


def status(warehouse: Path, *options: str) -> tuple[int, str, str]:
    args = argparse.Namespace(format="table", late=False)
    for option in options:
        if option == "--late":
            args.late = True
        else:
            args.format = option
    out, err = io.StringIO(), io.StringIO()
    code = command_foi_status(args, warehouse, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_status_lists_the_late_first_with_a_summary_line(warehouse):
    code, out, err = status(warehouse)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["organisation", "reference", "sent"]
    assert lines[2].startswith(ORGANISATIONS[MARKUP][0]) and lines[2].endswith("42")
    assert "refused" in lines[3] and "s21" in lines[3]
    assert "4 requests: 1 late, 1 refused (1 citing the website), 2 answered" in err


def test_status_csv_and_json_carry_every_column(warehouse):
    _, out, _ = status(warehouse, "csv", "--late")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["organisation_key"], r["working_days_late"]) for r in rows] == [(MARKUP, "42")]
    _, out, _ = status(warehouse, "json")
    records = json.loads(out)
    assert {r["request_reference"] for r in records} == {
        "FOI/2025/001", "AMB-77", "S&J <1>", "DHSC-FOI-9"
    }  # fmt: skip
    assert next(r for r in records if r["organisation_key"] == AMB)["cites_website"] is True


def test_status_without_a_campaign_says_so_in_one_line(warehouse, tmp_path):
    empty = shutil.copy(warehouse, tmp_path / "empty.duckdb")
    with duckdb.connect(str(empty)) as con:
        con.execute("DROP TABLE main.fct_foi_requests")
    code, out, err = status(Path(empty), "json")
    assert (code, json.loads(out)) == (0, [])
    assert err.count("\n") == 1 and "No FOI campaign loaded" in err
