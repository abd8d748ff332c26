"""The report's Themes section: reports per theme equal SQL on the marts, experimental themes are
marked, the coverage sentence is counted, and the evidence sentences are escaped and masked."""

from __future__ import annotations

import json
import re
from html import unescape
from types import SimpleNamespace

import duckdb
import pytest

from orchestration.analyst.names import mask_names
from orchestration.analyst.report import _environment
from orchestration.search.coverage import TextCoverage


def figures_in(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-figures">(.*?)</script>', html)
    return json.loads(found.group(1))


@pytest.mark.slow
def test_theme_counts_coverage_and_marks_follow_the_marts(pfdw, window_warehouse, tmp_path):
    out = tmp_path / "report.html"
    assert pfdw("report", "--out", str(out))[0] == 0
    html = out.read_text()
    with duckdb.connect(str(window_warehouse), read_only=True) as con:
        expected = dict(
            con.execute(
                "SELECT t.theme_id, count(DISTINCT b.report_url) FROM main.dim_themes t"
                " LEFT JOIN main.bridge_report_themes b USING (theme_id) GROUP BY 1"
            ).fetchall()
        )
        with_text, total = con.execute(
            "SELECT count(*) FILTER (WHERE has_report_text), count(*) FROM main.fct_reports"
        ).fetchone()
        experimental = {
            theme_id
            for (theme_id,) in con.execute(
                "SELECT theme_id FROM main.dim_themes WHERE status = 'experimental'"
            ).fetchall()
        }
    figures = figures_in(html)["themes"]
    assert {row["theme_id"]: row["reports"] for row in figures["themes"]} == expected
    assert (figures["reports_with_text"], figures["reports_in_scope"]) == (with_text, total)
    section = html[html.index('<section id="themes">') :]
    assert TextCoverage(with_text, total).sentence() in section
    assert 'id="chart-themes"' in section
    for theme_id in experimental:
        assert f'data-theme-id="{theme_id}" class="experimental"' in section


def render_section(evidence: str, with_names: bool = False) -> str:
    themes = {
        "themes": [
            {"theme_id": "falls", "theme": "Falls", "status": "experimental", "reports": 1},
        ],
        "concerns": {
            "falls": [
                {
                    "report_url": "https://example.org/r1",
                    "ref": "2025-0001",
                    "report_date": None,
                    "current_coroner_area": "Kent",
                    "evidence_text": evidence,
                }
            ]
        },
        "in_scope": TextCoverage(3, 10),
        "warehouse": TextCoverage(30, 100),
        "rules_versions": [1],
        "experimental": ["Falls"],
    }
    data = SimpleNamespace(themes=themes, with_names=with_names)
    return _environment().get_template("themes_section.html.j2").render(data=data, themes_svg=None)


def test_evidence_is_escaped_and_the_scope_coverage_is_said():
    html = render_section('She fell <script>alert("x")</script> & died.')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "3 of 10 reports had text to search (30%)" in html
    assert "30 of 100 reports had text to search (30%)" in html
    assert "Falls (experimental): 1 report" in unescape(html)
    assert "[name]" in html  # says names are masked without --with-names
    assert "[name]" not in render_section("She fell.", with_names=True)


def test_names_of_the_deceased_are_masked_in_the_evidence():
    text = "Mr Fell fell on the stairs; John Fell's care plan said falls risk was low."
    masked = mask_names(text, ["John Fell"])
    assert (
        masked == "Mr [name] fell on the stairs; [name] [name] care plan said falls risk was low."
    )
    assert mask_names(text, []) == text
    # reports often write the surname in capitals
    assert mask_names("then Mr GEBRSSLASIE used the door", ["Henok Gebrsslasie"]) == (
        "then Mr [name] used the door"
    )
