"""End to end through Dagster: the small 2013-10-31 snapshot window into a temporary warehouse.

Run 1 is a full crawl; run 2 is incremental while an analyst holds the published file open
read-only; run 3 meets a bad raw row and must fail its check, carry the failing rows, and leave
the published warehouse alone.
"""

import duckdb
import pytest
from dagster import DagsterInstance

from orchestration import publish
from tests.orchestration.dagster.conftest import resource_config

pytestmark = pytest.mark.slow

REPORTS_IN_WINDOW = 63


def materializations(result):
    return {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }


def check_evaluations(result):
    return [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


def meta(materialization, name):
    return materialization.metadata[name].value


@pytest.fixture(scope="module")
def pipeline_runs(code_location, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("pipeline")
    published = data_dir / "warehouse" / "pfd.duckdb"
    job = code_location.resolve_job_def("daily_collection")
    run_config = {**resource_config(data_dir), **job.run_config}
    with DagsterInstance.ephemeral() as instance:
        first = job.execute_in_process(instance=instance, run_config=run_config)
        analyst = duckdb.connect(str(published), read_only=True)
        try:
            second = job.execute_in_process(instance=instance, run_config=run_config)
            analyst_view = analyst.execute(
                "SELECT count(*) FROM raw.judiciary_pfd__reports"
            ).fetchall()[0][0]
        finally:
            analyst.close()

        with duckdb.connect(str(published)) as con:
            report_url = con.execute(
                "SELECT min(report_url) FROM raw.judiciary_pfd__reports"
            ).fetchall()[0][0]
            con.execute(
                """INSERT INTO raw.judiciary_pfd__documents
                   (report_url, document_url, kind, is_current, first_seen_at, last_seen_at,
                    first_seen_run_id, last_seen_run_id, first_seen_on)
                   VALUES (?, 'https://www.judiciary.uk/wp-content/uploads/bogus.pdf', 'bogus',
                           true, now(), now(), 'test', 'test', current_date)""",
                [report_url],
            ).fetchall()
        published_before_third = published.stat().st_mtime_ns
        third = job.execute_in_process(
            instance=instance, run_config=run_config, raise_on_error=False
        )
        yield {
            "data_dir": data_dir,
            "published": published,
            "first": first,
            "second": second,
            "third": third,
            "analyst_view": analyst_view,
            "published_before_third": published_before_third,
        }


def test_full_materialization_succeeds_and_its_checks_pass(pipeline_runs):
    result = pipeline_runs["first"]
    assert result.success
    done = materializations(result)
    crawl = done["crawl/judiciary_pfd"]
    assert meta(crawl, "mode") == "full"
    assert meta(crawl, "reports_parsed") == REPORTS_IN_WINDOW
    assert meta(crawl, "pages_fetched") > REPORTS_IN_WINDOW
    assert meta(crawl, "crawl_duration_s") > 0
    reports = done["raw/judiciary_pfd__reports"]
    assert meta(reports, "new_reports") == REPORTS_IN_WINDOW
    assert meta(reports, "dagster/row_count") == REPORTS_IN_WINDOW
    assert "| date_added | ref |" in meta(reports, "newest_rows")
    assert meta(reports, "warehouse") == str(pipeline_runs["published"])
    assert "staging/stg_judiciary_pfd__reports" in done
    assert meta(done["warehouse/published"], "published") is True
    checks = check_evaluations(result)
    assert len(checks) > 5
    failed = [f"{c.asset_key.to_user_string()}:{c.check_name}" for c in checks if not c.passed]
    assert failed == []
    names = {c.check_name for c in checks}
    assert {"header_fields_parsed", "source_unique_judiciary_pfd_reports_report_url"} <= names


def test_published_warehouse_holds_raw_and_dbt_tables(pipeline_runs):
    published = pipeline_runs["published"]
    for run in ("first", "second"):  # their working copies became the published file
        assert not publish.working_path(published, pipeline_runs[run].run_id).exists()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.judiciary_pfd__reports").fetchall() == [
            (REPORTS_IN_WINDOW,)
        ]
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
    assert {"raw", "staging", "reference"} <= schemas


def test_second_run_is_incremental_while_an_analyst_reads(pipeline_runs):
    result = pipeline_runs["second"]
    assert result.success
    done = materializations(result)
    crawl = done["crawl/judiciary_pfd"]
    first_crawl = materializations(pipeline_runs["first"])["crawl/judiciary_pfd"]
    assert meta(crawl, "mode") == "incremental"
    assert meta(crawl, "pages_fetched") < meta(first_crawl, "pages_fetched") / 4
    assert meta(done["raw/judiciary_pfd__reports"], "new_reports") == 0
    assert meta(done["warehouse/published"], "published") is True
    assert pipeline_runs["analyst_view"] == REPORTS_IN_WINDOW


def test_a_failing_check_marks_the_asset_with_its_failing_rows(pipeline_runs):
    result = pipeline_runs["third"]
    assert not result.success
    failed = [c for c in check_evaluations(result) if not c.passed]
    kind_check = next(c for c in failed if "accepted_values" in c.check_name)
    assert kind_check.asset_key.to_user_string() == "raw/judiciary_pfd__documents"
    rows = kind_check.metadata["failing_rows"].value
    assert "bogus" in rows
    # Nothing half-built was published: the file is the one from before the third run.
    assert "warehouse/published" not in materializations(result)
    published = pipeline_runs["published"]
    assert published.stat().st_mtime_ns == pipeline_runs["published_before_third"]
    # The failed run's working copy stays for a person to inspect (removed after a day).
    assert publish.working_path(published, result.run_id).exists()
