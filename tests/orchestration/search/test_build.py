"""Building the index: incremental equals full, when a build starts over, and the index's life
beside the warehouse (published with it, kept for old readers, removed when nothing names it)."""

import sqlite3
import threading

import duckdb
import pytest

from orchestration.search import Searcher
from orchestration.search.build import (
    audit_index,
    build_for_warehouse,
    build_index,
    read_documents,
)
from orchestration.search.files import (
    discard_run_index,
    index_files_to_keep,
    index_folder,
    index_path,
    named_index_of,
    remove_unnamed_index_files,
)
from orchestration.search.query import parse_query
from orchestration.warehouse import publish
from tests.orchestration.search.conftest import fixture_reports, make_warehouse, write_report

QUERIES = ("ligature", '"care home"', "handover NOT police", "ligat*", "zebra crossing")


def index_content(path) -> set[tuple]:
    """Everything the index holds per report, doc ids left out (they differ between builds)."""
    with sqlite3.connect(path) as con:
        return set(
            con.execute(
                """SELECT r.report_url, r.ref, r.scope_date, r.area, r.recipients_current,
                       r.fingerprint, t.circumstances, t.concerns, t.action, t.inquest,
                       (SELECT group_concat(organisation_key || '/' || coalesce(
                            current_organisation_type, ''), ',') FROM recipients c
                        WHERE c.doc_id = r.doc_id)
                   FROM reports r JOIN report_text t ON t.rowid = r.doc_id"""
            ).fetchall()
        )


def ranked(path, query: str) -> list[tuple[str, float]]:
    with sqlite3.connect(path) as con:
        return [
            (url, round(score, 9))
            for url, score in con.execute(
                "SELECT r.report_url, bm25(report_text) FROM report_text "
                "JOIN reports r ON r.doc_id = report_text.rowid WHERE report_text MATCH ? "
                "ORDER BY 2, 1",
                [parse_query(query).fts()],
            )
        ]


def change_the_warehouse(path) -> None:
    """One text edited, one report's text gone, one new report, one recipient retyped."""
    reports = fixture_reports()
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE main.fct_report_sections SET section_text = section_text || ? "
            "WHERE report_url = ? AND section_key = 'coroners_concerns'",
            [" A zebra crossing was missing.", reports[0]["report_url"]],
        )
        con.execute("DELETE FROM main.fct_report_sections WHERE report_url = ?",
                    [reports[1]["report_url"]])  # fmt: skip
        con.execute(
            "UPDATE main.fct_report_recipients SET current_organisation_type = 'police' "
            "WHERE report_url = ?",
            [reports[2]["report_url"]],
        )
        new = {
            **reports[3],
            "report_url": "https://www.judiciary.uk/new-report/",
            "ref": "2026-0001",
        }
        write_report(con, new)


def test_incremental_build_equals_full_build(tmp_path):
    warehouse = make_warehouse(tmp_path / "pfd.duckdb")
    first, _ = build_for_warehouse(warehouse, "first")
    assert first.mode == "full" and first.documents == 10
    change_the_warehouse(warehouse)
    incremental, record = build_for_warehouse(warehouse, "second", max_changed_share=1.0)
    assert (incremental.mode, incremental.changed, incremental.removed) == ("incremental", 3, 1)
    assert record.build_mode == "incremental" and named_index_of(warehouse) == record
    with duckdb.connect(str(warehouse), read_only=True) as con:
        full = build_index(read_documents(con), tmp_path / "full.sqlite")
    assert index_content(incremental.path) == index_content(full.path)
    assert audit_index(warehouse, incremental.path).passed
    for query in QUERIES:
        # BM25 on the same statistics: the same reports in the same order with the same scores
        assert ranked(incremental.path, query) == ranked(full.path, query), query
    assert ranked(incremental.path, "zebra crossing")
    assert (tmp_path / "search" / "pfd-search-first.sqlite").exists()


def test_a_build_starts_over_when_the_previous_index_cannot_be_updated(tmp_path):
    warehouse = make_warehouse(tmp_path / "pfd.duckdb")
    build_for_warehouse(warehouse, "first")
    change_the_warehouse(warehouse)
    many, _ = build_for_warehouse(warehouse, "many", max_changed_share=0.1)
    assert many.mode == "full" and "reports changed" in many.reason
    with sqlite3.connect(many.path) as con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    other, _ = build_for_warehouse(warehouse, "other-version", max_changed_share=1.0)
    assert other.mode == "full" and "schema version 0" in other.reason
    many.path.unlink()
    (index_folder(warehouse) / "pfd-search-other-version.sqlite").unlink()
    gone, _ = build_for_warehouse(warehouse, "gone")
    assert gone.mode == "full" and "missing" in gone.reason
    assert not list(index_folder(warehouse).glob("*.partial"))


def test_a_failed_build_leaves_no_file(tmp_path):
    documents = [object()]  # not a Document: the insert fails half way
    with pytest.raises(AttributeError):
        build_index(documents, tmp_path / "search" / "pfd-search-broken.sqlite")
    assert list((tmp_path / "search").iterdir()) == []


def publish_run(published, run_id, change=None):
    """What a run does: working copy, its own index, publish, clean up index files."""
    working = publish.ensure_working_copy(published, run_id)
    if change:
        change(working)
    build_for_warehouse(working, run_id)
    keep = index_files_to_keep(working)
    publish.publish(published, run_id)
    remove_unnamed_index_files(published, keep)


def test_search_while_a_run_publishes(tmp_path):
    published = make_warehouse(tmp_path / "warehouse" / "pfd.duckdb")
    publish_run(published, "run-1")
    errors, answers = [], []
    stop = threading.Event()
    old = Searcher(published)

    def keep_searching():
        while not stop.is_set():
            try:
                answers.append(old.search("zebra crossing").matches)
            except Exception as error:  # noqa: BLE001 (any failure fails the test)
                errors.append(error)

    reader = threading.Thread(target=keep_searching)
    reader.start()
    # an analyst in this very process holds the published file open (DuckDB would hand its cached,
    # old instance to anyone reopening the path here): the new index must survive the clean-up
    analyst = duckdb.connect(str(published), read_only=True)
    try:
        publish_run(published, "run-2", change_the_warehouse)
    finally:
        stop.set()
        reader.join()
        analyst.close()
    # the old reader kept answering from the old publication, without an error or a lock
    assert errors == [] and answers and set(answers) == {0}
    assert old.search("zebra crossing").matches == 0
    old.close()
    with Searcher(published) as new:
        assert new.search("zebra crossing").matches == 1
        assert new.record.run_id == "run-2"
    names = {p.name for p in index_folder(published).iterdir()}
    assert names == {"pfd-search-run-1.sqlite", "pfd-search-run-2.sqlite"}  # old kept
    publish_run(published, "run-3")
    names = {p.name for p in index_folder(published).iterdir()}
    assert names == {"pfd-search-run-2.sqlite", "pfd-search-run-3.sqlite"}


def test_a_failed_run_leaves_the_warehouse_and_its_index_as_they_were(tmp_path):
    published = make_warehouse(tmp_path / "warehouse" / "pfd.duckdb")
    publish_run(published, "good")
    working = publish.ensure_working_copy(published, "failing")
    build_for_warehouse(working, "failing")
    assert index_path(published, "failing").exists()
    # the run fails before publishing: its working copy and its index file go
    publish.discard(published, "failing")
    assert discard_run_index(published, "failing") == [index_path(published, "failing")]
    assert named_index_of(published).run_id == "good"
    assert discard_run_index(published, "good") == []  # the published index is never removed
    with Searcher(published) as searcher:
        assert searcher.search("ligature").matches == 3
    # a run that died without cleaning up: the next publication removes what it left
    stray = index_path(published, "dead")
    stray.write_bytes(b"half an index")
    publish_run(published, "next")
    assert not stray.exists()
    assert {p.name for p in index_folder(published).iterdir()} == {
        "pfd-search-good.sqlite",
        "pfd-search-next.sqlite",
    }
