"""The reviewed rule table that reads HSSIB responses (seeds/hssib_reported_state_rules.csv):
every rule is exercised by the dbt unit test of int_hssib_action_states, on the real sentence it
names from the bundled HSSIB records (or says that no captured record has one), and each
pattern matches its example and is not vetoed by its own exclusion under DuckDB's regex engine,
the one the model runs."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "dbt_project" / "seeds" / "hssib_reported_state_rules.csv"
UNIT_TESTS = ROOT / "dbt_project" / "models" / "intermediate" / "hssib" / "_hssib__intermediate.yml"
DATA = ROOT / "scrapers" / "snapshot" / "hssib" / "data"
EXAMPLE_PAGE = "example_recommendation_page.txt"
LINE_SOURCE = re.compile(r"recommendations\.jsonl line (\d+)")


def rules() -> list[dict]:
    with RULES.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def unit_test_rows() -> list[dict]:
    document = yaml.safe_load(UNIT_TESTS.read_text(encoding="utf-8"))
    [test] = [t for t in document["unit_tests"] if t["model"] == "int_hssib_action_states"]
    return test["expect"]["rows"]


def captured_words(source: str) -> str:
    """The text of the bundled record (response, actions) or page the source names."""
    if source == EXAMPLE_PAGE:
        return (DATA / EXAMPLE_PAGE).read_text(encoding="utf-8")
    match = LINE_SOURCE.fullmatch(source)
    assert match, f"unknown example source {source!r}"
    lines = (DATA / "recommendations.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[int(match.group(1)) - 1])
    actions = [action["text"] or "" for action in record["actions_planned"]]
    return "\n".join([record["response_text"] or "", *actions])


def test_the_table_is_well_formed():
    table = rules()
    assert len({rule["rule_id"] for rule in table}) == len(table)
    assert len({int(rule["precedence"]) for rule in table}) == len(table)
    assert {rule["reported_state"] for rule in table} == {
        "reported_done",
        "reported_delayed",
        "in_progress",
    }
    for rule in table:
        dt.date.fromisoformat(rule["reviewed_on"])


def test_every_rule_decides_a_row_of_the_dbt_unit_test():
    decided = {row["reported_state_rule_id"] for row in unit_test_rows()}
    assert {rule["rule_id"] for rule in rules()} <= decided


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["rule_id"])
def test_each_example_is_real_text_from_the_captured_records(rule):
    if not rule["example_sentence"]:
        assert "No captured" in rule["note"], rule["rule_id"]
        return
    assert rule["example_sentence"] in captured_words(rule["example_source"])


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["rule_id"])
def test_each_pattern_matches_its_example_in_duckdb(rule):
    expected = {
        row["reported_state_evidence"]
        for row in unit_test_rows()
        if row["reported_state_rule_id"] == rule["rule_id"]
    }
    examples = [e for e in [rule["example_sentence"], *expected] if e]
    assert examples, rule["rule_id"]
    with duckdb.connect() as con:
        for example in examples:
            [(matches, vetoed)] = con.execute(
                "select regexp_matches(?, ?, 'i'), "
                "coalesce(regexp_matches(?, nullif(?, ''), 'i'), false)",
                [example, rule["pattern"], example, rule["exclude_pattern"]],
            ).fetchall()
            assert matches and not vetoed, (rule["rule_id"], example)
