"""End to end through Dagster: the small 2013-10-31 snapshot window into a temporary warehouse,
run as `pfdw run` runs it (the session fixture ``cli_pipeline`` in conftest.py).

Run 1 is a full crawl; run 2 is incremental while an analyst holds the published file open
read-only; run 3 meets a bad raw row and must fail its check, carry the failing rows, and leave
the published warehouse alone, saying so on the publication asset.
"""

import duckdb
import pytest
from dagster import AssetCheckSeverity, DagsterInstance

from orchestration.warehouse import publish
from tests.orchestration.defs.conftest import resource_config

pytestmark = pytest.mark.slow

REPORTS_IN_WINDOW = 63
AUDIT_FINDINGS = {
    "audit_returns_reconciliation:gx_returns_reconciliation",
    "audit_publication_completeness:gx_coroner_area_completeness",
    "audit_ref_sequence_gaps:gx_ref_sequence_gaps",
}


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


@pytest.fixture
def pipeline_runs(cli_pipeline):
    return cli_pipeline


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
    failed = {f"{c.asset_key.to_user_string()}:{c.check_name}": c for c in checks if not c.passed}
    # Broken data fails nothing; what fails is the audit's findings about the world (warnings):
    # an early window is far from the real returns' periods and from current practice.
    assert set(failed) <= AUDIT_FINDINGS
    assert all(c.severity == AssetCheckSeverity.WARN for c in failed.values())
    names = {c.check_name for c in checks}
    assert {
        "header_fields_parsed",
        "source_unique_judiciary_pfd_reports_report_url",
        "gx_raw_crawl",
    } <= names


def test_daily_run_crawls_and_loads_hssib_and_the_returns(pipeline_runs):
    done = materializations(pipeline_runs["first"])
    crawl = done["crawl/hssib_recommendations"]
    assert meta(crawl, "mode") == "full"
    assert meta(crawl, "recommendations") > 0
    raw = done["raw/hssib_recommendations__recommendations"]
    assert meta(raw, "new_recommendations") == meta(crawl, "recommendations")
    assert "stg_hssib_recommendations__recommendations" in {k.split("/")[-1] for k in done}
    returns_rows = done["raw/returns__rows"]
    assert meta(returns_rows, "files_loaded") >= 1
    assert meta(returns_rows, "files_rejected") == 0
    assert "audit_returns_reconciliation" in done
    with duckdb.connect(str(pipeline_runs["published"]), read_only=True) as con:
        reconciled = con.execute("SELECT count(*) FROM main.audit_returns_reconciliation")
        assert reconciled.fetchall()[0][0] > 0
    # Second run: the same returns files are a no-op; the HSSIB log is crawled whole again.
    again = materializations(pipeline_runs["second"])
    assert meta(again["raw/returns__rows"], "files_loaded") == 0
    assert meta(again["raw/hssib_recommendations__recommendations"], "new_recommendations") == 0


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
    # Nothing the models read changed, so neither dbt build ran again (see test_dbt_skip).
    for model in (
        "staging/stg_judiciary_pfd__reports",
        "fct_reports",
        "audit_returns_reconciliation",
    ):
        assert meta(done[model], "dbt_build") == "skipped: inputs unchanged"
        assert meta(done[model], "built_by_run") == pipeline_runs["first"].run_id
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
    # The failed run removed its working copy (a full disk must not stay full) and let go of
    # the writer lock; its failing rows are in the check metadata above.
    assert not publish.working_path(published, result.run_id).exists()
    assert publish.leftover_files(published) == []
    # ... and the publication asset says the warehouse analysts read is stale but safe.
    second = pipeline_runs["second"].run_id
    assert pipeline_runs["third_stale_but_safe"].startswith(f"stale but safe: run {result.run_id}")
    assert f"still run {second} (daily_collection)" in pipeline_runs["third_stale_but_safe"]


def test_the_published_warehouse_names_the_run_that_published_it(pipeline_runs):
    done = materializations(pipeline_runs["second"])["warehouse/published"]
    assert meta(done, "published_by_run") == pipeline_runs["second"].run_id
    assert meta(done, "published_by_job") == "daily_collection"
    assert meta(done, "as_of") == "2013-10-31"
    with duckdb.connect(str(pipeline_runs["published"]), read_only=True) as con:
        history = con.execute(
            "SELECT run_id, job FROM orchestration.publications ORDER BY published_at"
        ).fetchall()
    assert history == [
        (pipeline_runs["first"].run_id, "daily_collection"),
        (pipeline_runs["second"].run_id, "daily_collection"),
    ]


def test_a_broken_crawl_stops_before_dbt_builds(code_location, tmp_path):
    """The raw crawl suite is blocking: when the crawl's pages fail it (here: recipients demanded
    on pages from before 2016, which carried them only in the PDF, as if a layout change had
    emptied the field), dbt does not build and nothing is published."""
    job = code_location.resolve_job_def("daily_collection")
    run_config = {**resource_config(tmp_path), **job.run_config}
    run_config["resources"]["audit"] = {
        "config": {"thresholds_json": '{"recipients_required_from": "1900-01-01"}'}
    }
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, run_config=run_config, raise_on_error=False
        )
    assert not result.success
    raw_crawl = next(c for c in check_evaluations(result) if c.check_name == "gx_raw_crawl")
    assert not raw_crawl.passed
    assert raw_crawl.severity == AssetCheckSeverity.ERROR
    assert "sent_to_raw" in raw_crawl.metadata["failed_expectations"].value
    done = materializations(result)
    assert "raw/judiciary_pfd__reports" in done  # the crawl and load ran ...
    assert not [k for k in done if k.startswith(("staging/", "intermediate/", "fct_", "dim_"))]
    assert "warehouse/published" not in done  # ... and stopped there
    assert not (tmp_path / "warehouse" / "pfd.duckdb").exists()
