"""The search box's syntax: what reaches FTS5, and one clear line for what is malformed."""

import re

import pytest

from orchestration.search import SearchError
from orchestration.search.query import parse_query
from orchestration.search.schema import resolve_sections


@pytest.mark.parametrize(
    ("typed", "fts"),
    [
        ("ligature points", '("ligature" AND "points")'),
        ('"ligature points"', '"ligature points"'),
        ("ligat*", '"ligat" *'),
        ('"ligature poi*"', '"ligature poi" *'),
        ("follow-up", '"follow up"'),
        ("a OR b c NOT d", '("a" OR ("b" AND ("c" NOT "d")))'),
        ("(discharge or discharged) and ward", '(("discharge" OR "discharged") AND "ward")'),
        # lower-case "not" is a word: "did not attend" must not exclude "attend"
        ("did not attend", '(("did" AND "not") AND "attend")'),
        # FTS5 syntax typed by a person is neutralised into words
        ("concerns:ligature^2", '"concerns ligature 2"'),
        ('o"brien', '"o brien"'),
        ("NEAR(ward staff)", '("near" AND ("ward" AND "staff"))'),
        ("ward ::: staff", '("ward" AND "staff")'),
        ("Café", '"café"'),
    ],
)
def test_user_syntax_becomes_quoted_fts5(typed, fts):
    assert parse_query(typed).fts() == fts


def test_sections_become_an_fts5_column_filter():
    assert parse_query("ligature").fts(("concerns", "action")) == '{concerns action} : ("ligature")'
    assert resolve_sections(["Concerns", "circumstances_of_death,inquest"]) == (
        "circumstances",
        "concerns",
        "inquest",
    )
    with pytest.raises(SearchError, match="Unknown section 'summary'"):
        resolve_sections("summary")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Empty query"),
        ("   ", "Empty query"),
        ('"ligature points', "Unbalanced quote"),
        ("(ligature OR cord", "Unbalanced brackets: a ( is never closed"),
        ("ligature)", "Unbalanced brackets: a ) has no ("),
        ("ligature AND", "AND at the end of the query has nothing after it"),
        ("ligature OR", "OR at the end"),
        ("(ligature OR) cord", "OR before a ) has nothing after it"),
        ("NOT prison", "NOT needs a word or phrase before it"),
        ("AND ligature", "AND needs a word or phrase before it"),
        ("ligature AND OR cord", "OR needs a word or phrase before it"),
        ("*", "A bare * matches nothing"),
        ("ligature *", "A bare * matches nothing"),
        ("li*", "at least 3 letters"),
        (":::", "No words to search for"),
        ("ward ()", "Empty brackets"),
        ('""', "Empty phrase"),
    ],
)
def test_malformed_queries_are_one_clear_line(typed, message):
    with pytest.raises(SearchError, match=re.escape(message)) as error:
        parse_query(typed)
    assert "\n" not in str(error.value)
