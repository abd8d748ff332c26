"""A dbt build is skipped only when its inputs are unchanged: the raw content (not the fetch
bookkeeping), the logical date, the dbt project and the selection. A skipped build answers every
selected test with the last build's result (so Dagster prints no "blocking asset check emitted
no result" warning) and every model with its row count and column schema."""

from datetime import date
from types import SimpleNamespace

import duckdb
from dagster import AssetCheckKey, AssetCheckResult, AssetKey, MaterializeResult

from orchestration.defs.dbt_builds import (
    build_inputs,
    fingerprint,
    last_builds,
    raw_table_digest,
    record_build,
    table_metadata,
)

MANIFEST = {"nodes": {"model.p.a": {"checksum": {"checksum": "abc"}}}, "macros": {}}


def warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.pages (url VARCHAR, title VARCHAR, content_hash VARCHAR,"
        " last_seen_at TIMESTAMP, last_seen_run_id VARCHAR, crawled_at TIMESTAMP, item JSON)"
    )
    con.execute(
        "INSERT INTO raw.pages VALUES ('u1', 'One', 'h1', now(), 'r1', now(), '{\"t\": 1}'),"
        " ('u2', 'Two', 'h2', now(), 'r1', now(), '{\"t\": 2}')"
    )
    return con


def inputs(con, **overrides):
    arguments = {
        "raw_tables": ["pages", "not_loaded_yet"],
        "logical_date": date(2026, 11, 20),
        "manifest": MANIFEST,
        "selection": ["fct_reports"],
    }
    arguments.update(overrides)
    return fingerprint(build_inputs(con, **arguments))


def test_a_refetch_of_unchanged_pages_keeps_the_fingerprint(tmp_path):
    con = warehouse(tmp_path)
    before = inputs(con)
    con.execute(
        "UPDATE raw.pages SET last_seen_at = now() + INTERVAL 1 DAY, last_seen_run_id = 'r2',"
        " crawled_at = now() + INTERVAL 1 DAY, item = '{\"t\": 3}'"
    )
    assert inputs(con) == before


def test_changed_content_date_project_or_selection_rebuild(tmp_path):
    con = warehouse(tmp_path)
    before = inputs(con)
    assert inputs(con, logical_date=date(2026, 11, 21)) != before
    assert inputs(con, selection=["fct_reports", "dim_date"]) != before
    changed = {"nodes": {"model.p.a": {"checksum": {"checksum": "abd"}}}, "macros": {}}
    assert inputs(con, manifest=changed) != before
    con.execute("UPDATE raw.pages SET title = 'One, corrected' WHERE url = 'u1'")
    assert inputs(con) != before


def test_a_new_row_changes_the_digest_and_an_absent_table_is_none(tmp_path):
    con = warehouse(tmp_path)
    rows, _ = raw_table_digest(con, "pages")
    con.execute("INSERT INTO raw.pages VALUES ('u3', 'Three', 'h3', now(), 'r2', now(), '{}')")
    assert raw_table_digest(con, "pages")[0] == rows + 1
    assert raw_table_digest(con, "not_loaded_yet") is None


def test_the_build_record_keeps_the_test_results_and_an_old_record_never_skips(tmp_path):
    from orchestration.defs.dbt import can_skip

    con = warehouse(tmp_path)
    # A record written before test results were kept (no check_results column).
    con.execute("CREATE SCHEMA orchestration")
    con.execute(
        "CREATE TABLE orchestration.dbt_builds (build_name VARCHAR PRIMARY KEY, fingerprint"
        " VARCHAR NOT NULL, run_id VARCHAR NOT NULL, built_at TIMESTAMP NOT NULL, inputs JSON"
        " NOT NULL)"
    )
    con.execute("INSERT INTO orchestration.dbt_builds VALUES ('pfd_dbt', 'f1', 'r0', now(), '{}')")
    checks = {"fct_reports:unique_fct_reports_report_url": None}
    old = last_builds(con)["pfd_dbt"]
    assert old[3] is None and not can_skip(old, "f1", checks)

    results = {"fct_reports:unique_fct_reports_report_url": {"passed": True, "severity": "ERROR"}}
    record_build(con, "pfd_dbt", "f2", "r1", {"raw": {}}, results)
    new = last_builds(con)["pfd_dbt"]
    assert new[:2] == ("f2", "r1") and new[3] == results
    assert can_skip(new, "f2", checks)
    assert not can_skip(new, "f3", checks)  # other inputs
    assert not can_skip(new, "f2", {**checks, "fct_reports:not_recorded": None})


def test_table_metadata_counts_tables_not_views_and_lists_columns(tmp_path):
    con = warehouse(tmp_path)
    con.execute("CREATE VIEW raw.pages_view AS SELECT url, title FROM raw.pages")
    found = table_metadata(
        con,
        {
            "t": ("raw", "pages", False),
            "v": ("raw", "pages_view", True),
            "missing": ("raw", "nope", False),
        },
    )
    assert found["t"]["dagster/row_count"] == 2
    columns = found["t"]["dagster/column_schema"].columns
    assert [(c.name, c.type) for c in columns[:2]] == [("url", "varchar"), ("title", "varchar")]
    assert "dagster/row_count" not in found["v"]
    assert [c.name for c in found["v"]["dagster/column_schema"].columns] == ["url", "title"]
    assert "missing" not in found


class _Log:
    def __init__(self):
        self.lines = []

    def __getattr__(self, level):
        return lambda message, *args: self.lines.append((level, message % args))


def test_a_skipped_build_answers_every_selected_model_and_test(tmp_path):
    from orchestration.defs.dbt import _unchanged_build

    con = warehouse(tmp_path)
    con.close()
    model, upstream = AssetKey("fct_reports"), AssetKey(["staging", "stg_pages"])
    check = AssetCheckKey(model, "unique_fct_reports_report_url")
    source_check = AssetCheckKey(AssetKey(["raw", "pages"]), "src")
    specs = {
        model: SimpleNamespace(metadata={"dagster_dbt/unique_id": "model.p.fct_reports"}),
        upstream: SimpleNamespace(metadata={"dagster_dbt/unique_id": "model.p.stg_pages"}),
    }
    manifest = {
        "nodes": {
            "model.p.fct_reports": {
                "resource_type": "model",
                "schema": "raw",
                "alias": "pages",
                "config": {"materialized": "table"},
            }
        }
    }
    context = SimpleNamespace(
        log=_Log(),
        selected_asset_keys={model, upstream},
        assets_def=SimpleNamespace(asset_deps={model: {upstream}}, specs_by_key=specs),
    )
    checks = {"fct_reports:unique_fct_reports_report_url": check, "raw/pages:src": source_check}
    results = {
        "fct_reports:unique_fct_reports_report_url": {"passed": True, "severity": "ERROR"},
        "raw/pages:src": {"passed": False, "severity": "WARN"},
    }
    previous = ("f", "run-1", "2026-11-20 06:00", results)
    events = list(_unchanged_build(context, manifest, tmp_path / "w.duckdb", previous, checks))
    materialized = [e for e in events if isinstance(e, MaterializeResult)]
    assert [e.asset_key for e in materialized] == [upstream, model]  # dependency order
    assert materialized[1].metadata["dagster/row_count"] == 2
    assert materialized[1].metadata["built_by_run"] == "run-1"
    answered = {(e.asset_key, e.check_name): e for e in events if isinstance(e, AssetCheckResult)}
    assert set(answered) == {(check.asset_key, check.name), (source_check.asset_key, "src")}
    warned = answered[(source_check.asset_key, "src")]
    assert not warned.passed and warned.severity.value == "WARN"
    assert "skipped" in context.log.lines[0][1]


def test_a_changed_theme_rules_file_rebuilds(tmp_path):
    # bridge_report_themes reads themes.yml, which neither the raw tables nor the manifest show.
    con = warehouse(tmp_path)
    rules = tmp_path / "themes.yml"
    rules.write_text("version: 1\n")
    before = inputs(con, theme_rules=rules)
    assert inputs(con, theme_rules=rules) == before
    rules.write_text("version: 1\n# a new exclusion\n")
    assert inputs(con, theme_rules=rules) != before
