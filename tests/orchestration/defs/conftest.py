"""Shared fixtures: the dbt manifest (prepared once, like the build step) and run config that
points every resource at a temporary data dir and the small 2013-10-31 snapshot window."""

from pathlib import Path

import pytest

SMALL_WINDOW = "2013-10-31"  # 63 reports and 9 legacy posts on the snapshot that day


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    from orchestration.defs.dbt_project import prepare_dbt_manifest

    return prepare_dbt_manifest()


@pytest.fixture(scope="session")
def code_location(dbt_manifest):
    from orchestration.definitions import build_definitions

    return build_definitions()


def resource_config(data_dir: Path, as_of: str = SMALL_WINDOW) -> dict:
    return {
        "resources": {
            "warehouse": {
                "config": {
                    "path": str(data_dir / "warehouse" / "pfd.duckdb"),
                    "data_dir": str(data_dir),
                }
            },
            "crawler": {
                "config": {"source": "snapshot", "as_of": as_of, "scrapy_log_level": "WARNING"}
            },
        }
    }


@pytest.fixture(scope="session")
def cli_pipeline(dbt_manifest, tmp_path_factory):
    """Three runs of daily_collection on the small window, started as `pfdw run` starts them
    (created against the code location, recorded in a Dagster instance under the data dir):
    run 1 a full crawl; run 2 incremental while an analyst holds the published file open
    read-only; run 3 meets a bad raw row, fails its check and must leave the published warehouse
    alone. Shared by test_materialize (the pipeline's outcomes) and test_ui_e2e (the same runs
    as the Dagster UI shows them), so the suite pays for one set of runs."""
    import duckdb

    from orchestration.defs import runs

    data_dir = tmp_path_factory.mktemp("pipeline")
    published = data_dir / "warehouse" / "pfd.duckdb"

    def run():
        return runs.execute_job(
            "daily_collection",
            SMALL_WINDOW,
            data_dir=data_dir,
            warehouse=published,
            crawler={"source": "snapshot", "scrapy_log_level": "WARNING"},
            echo=lambda line: None,
        )

    first = run()
    analyst = duckdb.connect(str(published), read_only=True)
    try:
        second = run()
        analyst_view = analyst.execute("SELECT count(*) FROM raw.judiciary_pfd__reports")
        analyst_view = analyst_view.fetchall()[0][0]
    finally:
        analyst.close()
    with duckdb.connect(str(published)) as con:
        report_url = con.execute("SELECT min(report_url) FROM raw.judiciary_pfd__reports")
        report_url = report_url.fetchall()[0][0]
        con.execute(
            """INSERT INTO raw.judiciary_pfd__documents
               (report_url, document_url, kind, is_current, first_seen_at, last_seen_at,
                first_seen_run_id, last_seen_run_id, first_seen_on)
               VALUES (?, 'https://www.judiciary.uk/wp-content/uploads/bogus.pdf', 'bogus',
                       true, now(), now(), 'test', 'test', current_date)""",
            [report_url],
        ).fetchall()
    published_before_third = published.stat().st_mtime_ns
    third = run()
    return {
        "data_dir": data_dir,
        "home": first.home,
        "published": published,
        "first": first.result,
        "second": second.result,
        "third": third.result,
        "third_stale_but_safe": third.stale_but_safe,
        "analyst_view": analyst_view,
        "published_before_third": published_before_third,
    }
