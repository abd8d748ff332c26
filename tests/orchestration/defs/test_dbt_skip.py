"""A dbt build is skipped only when its inputs are unchanged: the raw content (not the fetch
bookkeeping), the logical date, the dbt project, the selection and the upstream builds."""

from datetime import date

import duckdb

from orchestration.defs.dbt_builds import build_inputs, fingerprint, raw_table_digest

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
        "upstream": {},
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


def test_changed_content_date_project_selection_or_upstream_rebuild(tmp_path):
    con = warehouse(tmp_path)
    before = inputs(con)
    assert inputs(con, logical_date=date(2026, 11, 21)) != before
    assert inputs(con, selection=["fct_reports", "dim_date"]) != before
    changed = {"nodes": {"model.p.a": {"checksum": {"checksum": "abd"}}}, "macros": {}}
    assert inputs(con, manifest=changed) != before
    assert inputs(con, upstream={"pfd_dbt": ("f", "run-2", "t")}) != before
    con.execute("UPDATE raw.pages SET title = 'One, corrected' WHERE url = 'u1'")
    assert inputs(con) != before


def test_a_new_row_changes_the_digest_and_an_absent_table_is_none(tmp_path):
    con = warehouse(tmp_path)
    rows, _ = raw_table_digest(con, "pages")
    con.execute("INSERT INTO raw.pages VALUES ('u3', 'Three', 'h3', now(), 'r2', now(), '{}')")
    assert raw_table_digest(con, "pages")[0] == rows + 1
    assert raw_table_digest(con, "not_loaded_yet") is None
