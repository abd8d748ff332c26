"""Theme rules: the YAML is validated with one clear error naming the theme and key, and the
matcher finds terms on word boundaries, honours exclusions in place, sections and min_matches,
and gives the evidence span."""

from __future__ import annotations

import textwrap
import time

import pytest

from orchestration.themes.rules import (
    RULES_PATH,
    SEARCHABLE_SECTIONS,
    ThemeRulesError,
    assign_all,
    assign_themes,
    load_rules,
    rules_digest,
    term_regex,
)

CONTRACT_THEMES = (
    "suicide_self_harm",
    "mental_health_inpatient",
    "discharge_follow_up",
    "observation_ligatures",
    "medication_opioids",
    "falls",
    "sepsis_deterioration",
    "ambulance_delays",
    "maternity_neonatal",
    "road_safety",
    "police_custody",
    "prisons",
    "cyp_mental_health",
    "care_homes",
    "communication_between_services",
    "staffing_training",
)

HEADER = """\
version: 3
changelog:
  - "3: test rules"
themes:
"""


def rules_file(tmp_path, themes: str, header: str = HEADER):
    path = tmp_path / "themes.yml"
    path.write_text(header + textwrap.indent(textwrap.dedent(themes), "  "))
    return path


FALLS = """\
- id: falls
  label: Falls
  description: The person fell.
  status: reviewed
  terms: [fell, falls, fall*]
  exclusions: [falls within, fell asleep]
"""


def test_the_project_rules_cover_the_sixteen_contract_themes():
    rules = load_rules()
    assert tuple(t.theme_id for t in rules.themes) == CONTRACT_THEMES
    assert rules.version >= 1
    assert all(t.status in ("reviewed", "experimental") and t.description for t in rules.themes)
    assert rules.digest == rules_digest(RULES_PATH)


@pytest.mark.parametrize(
    ("themes", "expected"),
    [
        (FALLS.replace("status: reviewed", "status: maybe"), "theme 'falls'.status"),
        (FALLS.replace("  label: Falls\n", ""), "theme 'falls'.label: missing"),
        (FALLS.replace("terms: [fell, falls, fall*]", "terms: []"), "theme 'falls'.terms"),
        (FALLS.replace("terms: [fell", "regex: ['(unclosed']\n  terms: [fell"), "falls'.regex[0]"),
        (FALLS + "  min_matches: 0\n", "theme 'falls'.min_matches"),
        (FALLS + "  sections: [coroner]\n", "theme 'falls'.sections: unknown section 'coroner'"),
        (FALLS + "  exclude: [x]\n", "theme 'falls'.exclude: unknown key"),
        (FALLS + FALLS, "theme 'falls'.id: appears twice"),
        (FALLS.replace("id: falls", "id: Falls Theme"), ".id: expected a snake_case id"),
    ],
)
def test_a_bad_rule_is_one_clear_error_naming_theme_and_key(tmp_path, themes, expected):
    with pytest.raises(ThemeRulesError) as error:
        load_rules(rules_file(tmp_path, themes))
    message = str(error.value)
    assert expected in message
    assert message.startswith("themes.yml: ") and "\n" not in message


def test_a_file_without_version_or_changelog_line_or_valid_yaml_is_refused(tmp_path):
    with pytest.raises(ThemeRulesError, match="version"):
        load_rules(rules_file(tmp_path, FALLS, header="themes:\n"))
    with pytest.raises(ThemeRulesError, match="changelog: expected a line starting '3:'"):
        load_rules(rules_file(tmp_path, FALLS, header=HEADER.replace('"3: test', '"2: test')))
    bad = tmp_path / "bad.yml"
    bad.write_text("version: [1\n")
    with pytest.raises(ThemeRulesError, match="bad.yml: not valid YAML at line"):
        load_rules(bad)
    with pytest.raises(ThemeRulesError, match="cannot read"):
        load_rules(tmp_path / "missing.yml")


def test_terms_match_whole_words_spaces_or_hyphens_and_stems():
    import re

    self_harm = re.compile(term_regex("self harm*"), re.IGNORECASE)
    assert self_harm.search("history of Self-Harming behaviour")
    assert self_harm.search("self harm")
    assert not self_harm.search("himself harmed")
    assert re.compile(term_regex("s.136")).search("detained under s.136 by")
    assert not re.compile(term_regex("RTC")).search("an ARTCRAFT")


def test_exclusions_cancel_a_match_in_place_only(tmp_path):
    rules = load_rules(rules_file(tmp_path, FALLS))
    excluded = {"coroners_concerns": "The matter falls within my remit. She fell asleep."}
    assert assign_themes(rules, excluded) == []
    text = "This falls within the policy. She fell from her bed at 3am."
    [assignment] = assign_themes(rules, {"coroners_concerns": text})
    evidence = assignment.evidence
    assert (evidence.matched_text, evidence.section_key) == ("fell", "coroners_concerns")
    assert text[evidence.start : evidence.end] == "fell"
    assert evidence.context == "She fell from her bed at 3am."
    assert assignment.match_count == 1


def test_evidence_prefers_the_concerns_and_counts_every_section(tmp_path):
    rules = load_rules(rules_file(tmp_path, FALLS))
    sections = {
        "circumstances_of_death": "He fell down the stairs.",
        "coroners_concerns": "No falls risk assessment was made.",
        "your_response": "falls falls falls",  # boilerplate sections are never read
    }
    [assignment] = assign_themes(rules, sections)
    assert assignment.evidence.section_key == "coroners_concerns"
    assert assignment.evidence.matched_text == "falls"
    assert assignment.match_count == 2


def test_min_matches_and_sections_limit_what_counts(tmp_path):
    themes = FALLS + "  min_matches: 2\n  sections: [coroners_concerns]\n"
    rules = load_rules(rules_file(tmp_path, themes))
    assert assign_themes(rules, {"coroners_concerns": "She fell."}) == []
    assert assign_themes(rules, {"circumstances_of_death": "She fell. She fell."}) == []
    assert assign_themes(rules, {"coroners_concerns": "She fell. Then she fell again."})


def test_a_term_can_count_in_some_sections_only(tmp_path):
    themes = """\
    - id: police_custody
      label: Police
      description: Police involvement.
      status: experimental
      terms:
        - police custody
        - pattern: police
          sections: [coroners_concerns]
    """
    rules = load_rules(rules_file(tmp_path, themes))
    assert assign_themes(rules, {"circumstances_of_death": "The police were called."}) == []
    assert assign_themes(rules, {"circumstances_of_death": "He was in police custody."})
    assert assign_themes(rules, {"coroners_concerns": "The police had no record."})


def test_ligature_observations_are_not_vital_signs():
    rules = load_rules()
    theme = "observation_ligatures"

    def themes(text: str) -> set[str]:
        return {a.theme_id for a in assign_themes(rules, {"coroners_concerns": text})}

    assert theme in themes("The bedroom door had a ligature point that the audit missed.")
    assert theme in themes("His observation level was reduced to hourly checks.")
    assert theme not in themes("Her physical observations were not repeated for six hours.")


def test_long_sentences_give_a_short_context_around_the_match(tmp_path):
    rules = load_rules(rules_file(tmp_path, FALLS))
    text = "word " * 200 + "she fell " + "word " * 200
    [assignment] = assign_themes(rules, {"coroners_concerns": text})
    assert "fell" in assignment.evidence.context
    assert len(assignment.evidence.context) <= 302


def test_assign_all_reads_rows_and_is_fast_enough():
    rules = load_rules()
    text = (
        "She was found hanging on the psychiatric ward; the ligature point had been reported. "
        "The ambulance was delayed by three hours and the police attended. "
    ) * 20
    rows = [
        (f"r{n}", section, text) for n in range(60) for section in (*SEARCHABLE_SECTIONS, "coroner")
    ]
    started = time.perf_counter()
    assigned = assign_all(rules, rows)
    elapsed = time.perf_counter() - started
    assert len(assigned) == 60
    assert {"suicide_self_harm", "mental_health_inpatient"} <= {a.theme_id for a in assigned["r0"]}
    # 60 reports of four ~9,000-character sections: about half the words of the whole snapshot
    # (1,638 reports), which `make quality` and the dbt model read in about 5 s.
    assert elapsed < 5


def test_a_regex_with_alternatives_finds_every_branch(tmp_path):
    themes = """\
    - id: road_safety
      label: Road
      description: Roads.
      status: reviewed
      regex: ['\\bspeed\\s+camera|\\blorr(?:y|ies)\\b']
    """
    rules = load_rules(rules_file(tmp_path, themes))
    assert assign_themes(rules, {"coroners_concerns": "Two LORRIES collided."})
    assert assign_themes(rules, {"coroners_concerns": "A speed camera was removed."})
