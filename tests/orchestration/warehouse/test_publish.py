"""One writer, many readers: working copies and the atomic publish."""

import subprocess
import sys

import duckdb
import pytest

from orchestration.warehouse import publish


def make_warehouse(path, value):
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value]).fetchall()


def read_value(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT v FROM t").fetchall()[0][0]


def read_value_in_another_process(path):
    """A new reader, as an analyst's session would be (one process caches open databases)."""
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True);"
        " print(con.sql('SELECT v FROM t').fetchall()[0][0])"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()


def test_working_copy_starts_from_the_published_file(tmp_path):
    published = tmp_path / "pfd.duckdb"
    make_warehouse(published, "old")
    working = publish.ensure_working_copy(published, "run-1")
    assert working == tmp_path / "pfd.build-run-1.duckdb"
    assert read_value(working) == "old"
    assert publish.ensure_working_copy(published, "run-1") == working  # copied once per run


def test_first_run_starts_empty_and_nothing_to_publish_is_a_no_op(tmp_path):
    published = tmp_path / "new" / "pfd.duckdb"
    working = publish.ensure_working_copy(published, "run-1")
    assert not working.exists()  # DuckDB creates it on the first write
    assert publish.publish(published, "run-2") is None
    assert not published.exists()


def test_publish_replaces_atomically_while_a_reader_holds_the_old_file(tmp_path):
    published = tmp_path / "pfd.duckdb"
    make_warehouse(published, "old")
    reader = duckdb.connect(str(published), read_only=True)
    try:
        working = publish.ensure_working_copy(published, "run-1")
        make_warehouse(working, "new")
        assert publish.publish(published, "run-1") == published
        # The reader keeps the complete old version; a new reader sees the new one.
        assert reader.execute("SELECT v FROM t").fetchall() == [("old",)]
        assert read_value_in_another_process(published) == "new"
        assert not working.exists()
    finally:
        reader.close()


def test_publish_works_while_someone_holds_a_write_lock_on_the_published_file(tmp_path):
    published = tmp_path / "pfd.duckdb"
    make_warehouse(published, "old")
    analyst = duckdb.connect(str(published))  # an analyst who forgot read_only=True
    try:
        working = publish.ensure_working_copy(published, "run-1")
        make_warehouse(working, "new")
        publish.publish(published, "run-1")
    finally:
        analyst.close()
    assert read_value(published) == "new"


def test_run_ids_that_are_not_plain_names_are_refused(tmp_path):
    with pytest.raises(ValueError, match="run id"):
        publish.working_path(tmp_path / "pfd.duckdb", "../../etc/passwd")


def test_stale_working_copies_are_removed_at_once_but_not_the_live_writers(tmp_path):
    published = tmp_path / "pfd.duckdb"
    make_warehouse(publish.working_path(published, "failed-run"), "x")
    partial = tmp_path / "pfd.build-other.duckdb.partial"
    partial.write_bytes(b"half a copy")
    working = publish.ensure_working_copy(published, "live-run")  # takes the lock, cleans up
    assert not publish.working_path(published, "failed-run").exists()
    assert not partial.exists()
    make_warehouse(working, "mine")
    assert publish.remove_stale_working_copies(published) == []  # the live writer's stays
    publish.discard(published, "live-run")
    assert publish.leftover_files(published) == []
