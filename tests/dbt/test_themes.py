"""bridge_report_themes and dim_themes on the report-text sample build (the session fixture's
one dbt build): the mart holds what the one matcher assigns, with spans that point at the words."""

from __future__ import annotations

import duckdb

from orchestration.themes.rules import SEARCHABLE_SECTIONS, assign_all, load_rules


def test_the_bridge_holds_the_matcher_assignments_with_exact_spans(text_sample_warehouse):
    rules = load_rules()
    with duckdb.connect(str(text_sample_warehouse), read_only=True) as con:
        sections = con.execute(
            "SELECT report_url, section_key, section_text FROM main.fct_report_sections"
        ).fetchall()
        bridge = con.execute(
            "SELECT b.report_url, b.theme_id, b.section_key, b.evidence_start, b.evidence_end,"
            " b.matched_text, b.evidence_text, b.match_count, b.rules_version, s.section_text"
            " FROM main.bridge_report_themes b JOIN main.fct_report_sections s"
            " ON s.report_url = b.report_url AND s.section_key = b.section_key"
        ).fetchall()
        themes = con.execute(
            "SELECT theme_id, label, status, rules_version FROM main.dim_themes"
            " ORDER BY theme_order"
        ).fetchall()
    expected = {
        (url, a.theme_id, a.evidence.section_key, a.evidence.start, a.match_count)
        for url, assignments in assign_all(rules, sections).items()
        for a in assignments
    }
    assert bridge, "the sample's texts carry themes"
    assert {(r[0], r[1], r[2], r[3], r[7]) for r in bridge} == expected
    for _url, _theme, key, start, end, matched, evidence, _count, version, text in bridge:
        assert key in SEARCHABLE_SECTIONS
        assert text[start:end] == matched
        assert matched in evidence
        assert version == rules.version
    assert themes == [(t.theme_id, t.label, t.status, rules.version) for t in rules.themes]
