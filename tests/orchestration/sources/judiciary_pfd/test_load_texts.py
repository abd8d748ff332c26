"""raw.judiciary_pfd__report_texts: loaded with the reports in one transaction, latest per report,
first/last seen kept, its row check, and the text state the next crawl reads."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.sources.judiciary_pfd import SOURCE
from orchestration.sources.judiciary_pfd import load as raw_load
from orchestration.sources.judiciary_pfd.incremental import MAX_PDF_FAILURES, build_text_state
from orchestration.sources.judiciary_pfd.load import load_run
from orchestration.sources.raw_runs import RawLoadError
from scrapers.judiciary_pfd.report_text import report_text_fields
from tests.orchestration.sources.judiciary_pfd.test_load import (
    PDF_A,
    REPORT_A,
    REPORT_B,
    report_item,
    write_run,
)

PDF_A_REVISED = PDF_A.replace("_Published.pdf", "_Revised.pdf")
PDF_TEXT = (
    "REGULATION 28: REPORT TO PREVENT FUTURE DEATHS\nTHIS REPORT IS BEING SENT TO:\n"
    "Suffolk County Council\n1 CORONER\nNigel Parsley\n5 CORONER’S CONCERNS\nNo care plan."
)


def text_item(url: str, *, crawled_at: str, raw_text: str = PDF_TEXT, document_url=PDF_A):
    fields = report_text_fields(
        raw_text,
        text_source="pdf" if document_url else "page",
        document_url=document_url,
        page_count=2 if document_url else None,
    )
    return {"url": url, "crawled_at": crawled_at, **fields}


def run_with_texts(root: Path, run_id: str, *, texts=(), **kwargs) -> Path:
    run_dir = write_run(root, run_id, **kwargs)
    (run_dir / "report_texts.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in texts), encoding="utf-8"
    )
    return run_dir


def text_rows(con) -> dict[str, dict]:
    cursor = con.execute("SELECT * FROM raw.judiciary_pfd__report_texts ORDER BY report_url")
    names = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def row_check_failures(con, name: str) -> list[tuple]:
    [sql] = [sql for check, _table, _doc, sql in SOURCE.row_checks if check == name]
    return con.execute(sql).fetchall()


def test_texts_round_trip_and_keep_their_first_sighting(tmp_path):
    first = run_with_texts(
        tmp_path,
        "run-1",
        started_at="2024-09-01T06:00:00Z",
        reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01Z")],
        texts=[text_item(REPORT_A, crawled_at="2024-09-01T06:00:02Z")],
    )
    # Run 2 reads the page again (its PDF already read: no text item); run 3 reads a revised
    # PDF; run 4 sees the page unchanged (304).
    second = run_with_texts(
        tmp_path,
        "run-2",
        started_at="2024-09-02T06:00:00Z",
        reports=[report_item(REPORT_A, crawled_at="2024-09-02T06:00:01Z")],
    )
    revised = report_item(
        REPORT_A,
        crawled_at="2024-09-03T06:00:01Z",
        content_hash="h2",
        documents=[{"url": PDF_A_REVISED, "kind": "report", "position": 0}],
    )
    # Run 2b sees the page link a revised PDF it could not read (over budget, or failed): the
    # text held was not seen again.
    unread = run_with_texts(
        tmp_path,
        "run-2b",
        started_at="2024-09-02T12:00:00Z",
        reports=[{**revised, "crawled_at": "2024-09-02T12:00:01Z"}],
    )
    third = run_with_texts(
        tmp_path,
        "run-3",
        started_at="2024-09-03T06:00:00Z",
        reports=[revised],
        texts=[
            text_item(
                REPORT_A,
                crawled_at="2024-09-03T06:00:02Z",
                raw_text=PDF_TEXT.replace("No care plan.", "No care plan; no follow-up."),
                document_url=PDF_A_REVISED,
            )
        ],
    )
    fourth = run_with_texts(
        tmp_path,
        "run-4",
        started_at="2024-09-04T06:00:00Z",
        not_modified=[{"url": REPORT_A, "crawled_at": "2024-09-04T06:00:01Z"}],
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        loaded = load_run(con, first)
        assert (loaded.report_texts, loaded.changed_report_texts) == (1, 1)
        row = text_rows(con)[REPORT_A]
        assert (row["text_source"], row["document_url"], row["text_status"]) == (
            "pdf",
            PDF_A,
            "sections",
        )
        assert row["sent_to_text"] == "Suffolk County Council"
        assert json.loads(row["sections"])[1] == {
            "number": "5",
            "heading": "CORONER’S CONCERNS",
            "section_key": "coroners_concerns",
            "text": "No care plan.",
        }
        assert (row["page_count"], row["raw_text"]) == (2, PDF_TEXT)
        assert json.loads(row["parse_warnings"]) == []

        assert load_run(con, second).report_texts == 0
        kept = text_rows(con)[REPORT_A]
        # The page still links the PDF the text came from: the text is seen again, unchanged.
        assert kept["content_hash"] == row["content_hash"]
        assert (kept["last_seen_run_id"], str(kept["last_seen_at"])) == (
            "run-2",
            "2024-09-02 06:00:01",
        )

        load_run(con, unread)
        assert text_rows(con)[REPORT_A]["last_seen_run_id"] == "run-2"

        assert load_run(con, third).changed_report_texts == 1
        changed = text_rows(con)[REPORT_A]
        assert changed["document_url"] == PDF_A_REVISED
        assert "no follow-up" in json.loads(changed["sections"])[1]["text"]
        assert (changed["first_seen_run_id"], changed["last_seen_run_id"]) == ("run-1", "run-3")
        assert str(changed["first_seen_at"]) == "2024-09-01 06:00:02"

        load_run(con, fourth)
        assert text_rows(con)[REPORT_A]["last_seen_run_id"] == "run-4"
        assert row_check_failures(con, "report_texts_belong_to_reports") == []


def test_a_bad_text_item_loads_nothing_at_all(tmp_path):
    bad = text_item(REPORT_A, crawled_at="2024-09-01T06:00:02Z")
    bad["text_status"] = "readable"
    run = run_with_texts(
        tmp_path,
        "run-1",
        started_at="2024-09-01T06:00:00Z",
        reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01Z")],
        texts=[bad],
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        with pytest.raises(RawLoadError, match=r"report_texts.jsonl:1: text_status 'readable'"):
            load_run(con, run)
        raw_load.ensure_raw_schema(con)
        assert con.execute("SELECT count(*) FROM raw.judiciary_pfd__reports").fetchall() == [(0,)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text_source": "web"}, "text_source 'web'"),
        ({"document_url": None}, "must name its document_url"),
        ({"document_url": "http://127.0.0.1:1/x.pdf"}, "is not a canonical"),
        ({"sections": [{"number": "1"}]}, "sections must be a list of objects"),
        ({"page_count": "two"}, "page_count 'two'"),
    ],
)
def test_malformed_text_items_are_named(tmp_path, change, message):
    item = {**text_item(REPORT_A, crawled_at="2024-09-01T06:00:02Z"), **change}
    run = run_with_texts(tmp_path, "run-1", started_at="2024-09-01T06:00:00Z", texts=[item])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        with pytest.raises(RawLoadError, match=message):
            load_run(con, run)


def test_a_failure_while_writing_texts_rolls_back_the_reports_too(tmp_path, monkeypatch):
    run = run_with_texts(
        tmp_path,
        "run-1",
        started_at="2024-09-01T06:00:00Z",
        reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01Z")],
        texts=[text_item(REPORT_A, crawled_at="2024-09-01T06:00:02Z")],
    )

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(raw_load, "apply_texts", broken)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        with pytest.raises(RawLoadError, match="nothing was loaded: disk full"):
            load_run(con, run)
        for table in ("reports", "documents", "report_texts"):
            sql = f"SELECT count(*) FROM raw.judiciary_pfd__{table}"  # noqa: S608
            assert con.execute(sql).fetchall() == [(0,)], table
        assert con.execute("SELECT count(*) FROM raw.crawl_runs").fetchall() == [(0,)]


def test_the_row_check_finds_texts_of_unknown_reports_and_unlinked_pdfs(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        raw_load.ensure_raw_schema(con)
        load_run(
            con,
            run_with_texts(
                tmp_path,
                "run-1",
                started_at="2024-09-01T06:00:00Z",
                reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01Z")],
                texts=[
                    text_item(REPORT_A, crawled_at="2024-09-01T06:00:02Z", document_url=PDF_A),
                    text_item(REPORT_B, crawled_at="2024-09-01T06:00:03Z"),
                ],
            ),
        )
        con.execute(
            "UPDATE raw.judiciary_pfd__report_texts SET document_url = ? WHERE report_url = ?",
            [PDF_A_REVISED, REPORT_A],
        )
        assert row_check_failures(con, "report_texts_belong_to_reports") == [
            (REPORT_B, "pdf", PDF_A, "no such report"),
            (REPORT_A, "pdf", PDF_A_REVISED, "PDF not linked from the page"),
        ]


def test_the_text_state_names_read_pdfs_and_unread_ones_newest_first(tmp_path):
    older = report_item(REPORT_B, crawled_at="2024-09-01T06:00:02Z")
    older["date_added_raw"] = "2020-01-01"
    older["documents"] = [{"url": PDF_A_REVISED, "kind": "report", "position": 0}]
    report_c = REPORT_A.replace("katie-madden", "c")
    pdf_c = PDF_A.replace("Katie", "C")
    newest = report_item(report_c, crawled_at="2024-09-01T06:00:03Z")
    newest["date_added_raw"] = "2024-08-30"
    newest["documents"] = [{"url": pdf_c, "kind": "report", "position": 0}]
    errors = [
        {"url": pdf_c, "stage": "report_pdf", "reason": "HTTP 500", "crawled_at": "2024-09-01"}
    ]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        empty = {"known": [], "missing": [], "listed": []}
        assert build_text_state(con) == empty  # an empty warehouse
        load_run(
            con,
            run_with_texts(
                tmp_path,
                "run-1",
                started_at="2024-09-01T06:00:00Z",
                reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01Z"), older, newest],
                texts=[text_item(REPORT_A, crawled_at="2024-09-01T06:00:04Z")],
                errors=errors,
            ),
        )
        state = build_text_state(con)
        assert state["known"] == [{"url": REPORT_A, "document_url": PDF_A}]
        assert state["missing"] == [
            {"url": report_c, "document_url": pdf_c},
            {"url": REPORT_B, "document_url": PDF_A_REVISED},
        ]
        # A PDF that failed in MAX_PDF_FAILURES runs is given up on.
        for run in range(2, MAX_PDF_FAILURES + 1):
            load_run(
                con,
                run_with_texts(
                    tmp_path,
                    f"run-{run}",
                    started_at=f"2024-09-0{run}T06:00:00Z",
                    errors=errors,
                ),
            )
        assert [entry["url"] for entry in build_text_state(con)["missing"]] == [REPORT_B]
