"""The documented SQL files and the filter vocabulary (no warehouse needed)."""

import duckdb
import pytest

from orchestration.analyst.questions import QUESTIONS_DIR, SCOPE_FILE, question_path
from orchestration.analyst.scope import (
    ORGANISATION_TYPE_ALIASES,
    ORGANISATION_TYPES,
    ScopeError,
    resolve_organisation_type,
)

SCOPED = sorted(p for p in QUESTIONS_DIR.glob("*.sql") if "scope:begin" in p.read_text())


def scope_block(text: str) -> str:
    return text[text.index("-- scope:begin") : text.index("-- scope:end")]


def test_every_scoped_question_carries_the_scope_block_verbatim():
    expected = scope_block(SCOPE_FILE.read_text())
    assert len(SCOPED) >= 8
    for path in SCOPED:
        assert scope_block(path.read_text()) == expected, f"{path.name} has drifted from _scope.sql"


@pytest.mark.parametrize("path", sorted(QUESTIONS_DIR.glob("[!_]*.sql")), ids=lambda p: p.stem)
def test_every_question_file_parses_as_one_statement(path):
    statements = duckdb.extract_statements(path.read_text())
    assert len(statements) == 1


def test_every_question_says_what_it_answers():
    for path in QUESTIONS_DIR.glob("[!_]*.sql"):
        assert path.read_text().startswith("-- "), path.name


def test_unknown_question_names_the_known_ones():
    with pytest.raises(FileNotFoundError, match="q2_organisation_responses"):
        question_path("q99_nothing")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mental_health_trust", "nhs_mental_health_trust"),
        ("nhs_mental_health_trust", "nhs_mental_health_trust"),
        ("Mental health trust", "nhs_mental_health_trust"),
        ("councils", "local_authority"),
        ("ambulance-trust", "nhs_ambulance_trust"),
        ("police", "police"),
    ],
)
def test_organisation_types_accept_controlled_values_and_aliases(text, expected):
    assert resolve_organisation_type(text) == expected


def test_every_alias_points_at_a_controlled_type():
    assert set(ORGANISATION_TYPE_ALIASES.values()) <= set(ORGANISATION_TYPES)


def test_an_unknown_type_is_named_with_the_valid_ones():
    with pytest.raises(ScopeError, match=r"'hospitals'.*nhs_acute_trust"):
        resolve_organisation_type("hospitals")
