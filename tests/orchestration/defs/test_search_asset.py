"""The search index inside the shared `pfdw run`-style runs (``cli_pipeline``): built by each
run, its check passing, named by the published warehouse and published with it."""

import pytest

from orchestration.search import Searcher
from orchestration.search.coverage import TextCoverage
from orchestration.search.files import index_folder, named_index_of
from tests.orchestration.defs.test_materialize import (
    check_evaluations,
    materializations,
    meta,
)

pytestmark = pytest.mark.slow


def test_each_run_builds_the_index_and_publishes_it_with_the_warehouse(cli_pipeline):
    published = cli_pipeline["published"]
    first, second = cli_pipeline["first"], cli_pipeline["second"]
    built = materializations(first)["search/index"]
    assert meta(built, "build_mode") == "full"
    counted = TextCoverage(meta(built, "reports_with_text"), meta(built, "reports_total"))
    assert meta(built, "coverage") == counted.sentence() and counted.total > 0
    again = materializations(second)["search/index"]
    # nothing changed between the two runs of the same window: no report redone
    assert meta(again, "build_mode") == "incremental" and meta(again, "changed_reports") == 0
    assert meta(again, "documents") == meta(built, "documents")
    checks = {
        (c.asset_key.to_user_string(), c.check_name): c.passed
        for run in (first, second)
        for c in check_evaluations(run)
    }
    assert checks[("search/index", "every_report_with_text_indexed_once")] is True
    # the published warehouse (the second run's; the third failed) names the second's index,
    # the first's is kept for readers of the previous publication
    record = named_index_of(published)
    assert record.run_id == second.run_id
    assert {p.name for p in index_folder(published).iterdir()} == {
        f"pfd-search-{first.run_id}.sqlite",
        f"pfd-search-{second.run_id}.sqlite",
    }
    with Searcher(published) as searcher:
        assert searcher.search("inquest").coverage.total == record.reports_total


def test_the_run_summary_names_the_index_it_built(cli_pipeline):
    """What `pfdw run` prints after a run: where the search index is (read from the run's own
    materialization, not by opening the warehouse again)."""
    from orchestration.defs.runs import materialization_metadata
    from orchestration.defs.search import SEARCH_INDEX_KEY

    second = cli_pipeline["second"]
    found = materialization_metadata(second, SEARCH_INDEX_KEY, ("index_file", "absent"))
    assert list(found) == ["index_file"]
    assert found["index_file"].endswith(f"/search/pfd-search-{second.run_id}.sqlite")
