"""Searching the tiny warehouse of real reports: known items, each filter, phrases, booleans,
prefixes, an empty result, snippets, and the coverage said with every answer."""

import pytest

from orchestration.search import NoIndexError, Searcher, SearchError, search
from orchestration.search.searcher import SearchResult


@pytest.fixture(scope="module")
def searcher(warehouse):
    with Searcher(warehouse) as opened:
        yield opened


def refs(found) -> list[str]:
    return [result.ref for result in found]


def test_a_distinctive_phrase_finds_its_report_first(searcher):
    found = searcher.search('"ligature point maps"')
    assert refs(found)[0] == "2023-0547"
    first = found.results[0]
    assert first.section == "concerns"
    assert "«ligature point maps»" in first.snippet
    assert first.recipients == "HM Prison and Probation Service"
    assert first.area == "Nottinghamshire" and first.report_date == "2023-12-21"
    assert searcher.search("methadone").results[0].ref == "2024-0070"


def test_the_module_function_gives_the_same_answer(warehouse, searcher):
    assert refs(search("handover", warehouse=warehouse)) == refs(searcher.search("handover"))


def test_phrase_boolean_and_prefix_queries(searcher):
    words, phrase = searcher.search("care home"), searcher.search('"care home"')
    assert set(refs(phrase)) == {"2023-0162", "2017-0453"} < set(refs(words))
    assert set(refs(searcher.search("ligature"))) == {"2021-0082", "2023-0547", "2024-0672"}
    # both of the prisons' reports mention a prison
    assert refs(searcher.search("ligature NOT prison")) == ["2021-0082"]
    either = set(refs(searcher.search('methadone OR "ligature point maps"')))
    assert either == {"2024-0070", "2023-0547"}
    assert set(refs(searcher.search("ligat*"))) == set(refs(searcher.search("ligature")))
    assert set(refs(searcher.search("(methadone OR ligature) AND cumbria"))) <= {"2024-0070"}


def test_each_filter(searcher):
    def filtered(**filters):
        return set(refs(searcher.search("ligature", **filters)))

    assert filtered(sections="circumstances") == {"2021-0082", "2024-0672"}
    assert filtered(sections=["inquest", "concerns"]) == filtered()
    assert filtered(sections="action") == set()
    assert {r.section for r in searcher.search("ligature", sections="inquest")} == {"inquest"}
    assert filtered(org_types="mental health trusts") == {"2021-0082", "2024-0672"}
    assert filtered(org_types=["police"]) == set()
    assert filtered(organisation="ods:RXT") == {"2021-0082"}
    assert filtered(area="avon") == {"2024-0672"}
    assert filtered(since="2024-01-01") == {"2024-0672"}
    assert filtered(until="2023-12-31") == {"2021-0082", "2023-0547"}
    assert filtered(recipient_sources="header", since="2023-12-21", until="2023-12-21") == {
        "2023-0547"
    }
    assert searcher.search("ligature", org_types="police").scope == "police forces"


def test_filters_that_name_nothing_are_one_line(searcher):
    with pytest.raises(SearchError, match="No coroner area matches 'Atlantis'"):
        searcher.search("ligature", area="Atlantis")
    with pytest.raises(SearchError, match="Unknown organisation type 'spaceship'"):
        searcher.search("ligature", org_types="spaceship")
    with pytest.raises(SearchError, match="is after --until"):
        searcher.search("ligature", since="2024-01-01", until="2023-01-01")
    with pytest.raises(SearchError, match="not a date"):
        searcher.search("ligature", since="last year")
    with pytest.raises(SearchError, match="--limit"):
        searcher.search("ligature", limit=0)


def test_an_empty_result_still_says_the_coverage(searcher):
    found = searcher.search("zanzibarword")  # only in a boilerplate section: not searchable
    assert found.matches == 0 and found.results == []
    assert found.coverage.sentence() == "10 of 12 reports had text to search (83%)"


def test_limit_counts_every_match(searcher):
    found = searcher.search("handover", limit=2)
    assert len(found) == 2 and found.matches == 4


def test_snippets_name_the_deceased_only_when_asked(searcher):
    """The report's words can name the person who died: [name] unless with_names."""
    masked = searcher.search('"Mr Bates"').results[0]
    assert masked.ref == "2024-0070"
    assert "Bates" not in masked.snippet and "«Mr [name]»" in masked.snippet
    named = searcher.search('"Mr Bates"', with_names=True).results[0]
    assert "«Mr Bates»" in named.snippet


def test_snippets_render_safely():
    result = SearchResult(
        report_url="u", ref="r", report_date=None, area=None, recipients="", section="concerns",
        snippet_parts=(("<b>cell</b> ", False), ("ligature", True), (" & co", False)), score=1.0,
    )  # fmt: skip
    assert result.snippet == "<b>cell</b> «ligature» & co"
    assert result.snippet_html() == "&lt;b&gt;cell&lt;/b&gt; <mark>ligature</mark> &amp; co"


def test_no_warehouse_or_no_index_is_one_line(tmp_path):
    with pytest.raises(NoIndexError, match="make run"):
        Searcher(tmp_path / "missing.duckdb")
    import duckdb

    bare = tmp_path / "bare.duckdb"
    duckdb.connect(str(bare)).close()
    with pytest.raises(NoIndexError, match="has no search index yet"):
        Searcher(bare)
