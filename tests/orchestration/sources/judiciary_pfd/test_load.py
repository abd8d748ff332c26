"""The raw loader: all or nothing, idempotent, keeps the latest observation and the history."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.sources.judiciary_pfd import load as raw_load
from orchestration.sources.judiciary_pfd.load import load_run
from orchestration.sources.raw_runs import RawLoadError, RunNotLoadableError

ORIGIN = "https://www.judiciary.uk"
REPORT_A = (
    f"{ORIGIN}/prevention-of-future-death-reports/katie-madden-prevention-of-future-deaths-report/"
)
REPORT_B = (
    f"{ORIGIN}/prevention-of-future-death-reports/akhona-moyo-prevention-of-future-deaths-report/"
)
PDF_A = (
    f"{ORIGIN}/wp-content/uploads/2024/06/"
    "Katie-Madden-Prevention-of-future-deaths-report-2024-0295_Published.pdf"
)
RESPONSE_A = (
    f"{ORIGIN}/wp-content/uploads/2024/08/2024-0295-Response-from-Suffolk-County-Council.pdf"
)


def report_item(
    url: str,
    *,
    content_hash: str = "h1",
    documents=None,
    crawled_at: str,
    sent_to: str = "Suffolk County Council | Suffolk Constabulary",
) -> dict:
    return {
        "url": url,
        "page_title": "Katie Madden: Prevention of future deaths report",
        "date_added_raw": "2024-06-03",
        "date_added_text": "3 June 2024",
        "header": {
            "date_of_report": "30/05/2024",
            "ref": "2024-0295",
            "deceased_name": "Katie Madden\u00a0",
            "coroner_name": "Nigel Parsley",
            "coroner_area": "Suffolk",
            "category": "Suicide (from 2015)",
            "sent_to": sent_to,
        },
        "header_labels": {"ref": "Ref"},
        "category_pills": [{"text": "Suicide (from 2015)", "slug": "suicide-from-2015"}],
        "report_sections": [],
        "documents": documents
        if documents is not None
        else [
            {
                "url": PDF_A,
                "link_text": "Report",
                "file_name": PDF_A.rsplit("/", 1)[1],
                "upload_year": 2024,
                "upload_month": 6,
                "kind": "report",
                "position": 0,
                "source": "file_button",
            },
        ],
        "content_hash": content_hash,
        "crawled_at": crawled_at,
        "http_etag": '"abc"',
        "http_last_modified": "Mon, 03 Jun 2024 00:00:00 GMT",
        "parse_warnings": [],
        "listing_page": 1,
    }


def write_run(
    root: Path,
    run_id: str,
    *,
    started_at: str,
    reports=(),
    not_modified=(),
    errors=(),
    skipped=(),
    status: str = "finished",
    logical_date="2024-09-01",
) -> Path:
    run_dir = root / run_id
    run_dir.mkdir(parents=True)
    for name, rows in (
        ("reports.jsonl", reports),
        ("not_modified.jsonl", not_modified),
        ("errors.jsonl", errors),
        ("skipped.jsonl", skipped),
    ):
        (run_dir / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    (run_dir / "run.json").write_text(
        json.dumps(
            {
                "run_id": run_id,
                "spider": "judiciary_pfd",
                "mode": "full",
                "source": "snapshot",
                "base_url": "http://127.0.0.1:1",
                "as_of": logical_date,
                "logical_date": logical_date,
                "started_at": started_at,
                "finished_at": started_at,
                "status": status,
                "failure_reason": None if status == "finished" else "layout drift: 3 of 3 pages",
                "counts": {
                    "requests": 3,
                    "pages_fetched": 3,
                    "listing_pages": 1,
                    "report_pages": 2,
                },
            }
        )
    )
    return run_dir


def table_rows(con, table: str, order: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM raw.{table} ORDER BY {order}").fetchall()  # noqa: S608


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def test_loads_reports_documents_and_run(con, tmp_path):
    run = write_run(
        tmp_path,
        "run-1",
        started_at="2024-09-01T06:00:00+00:00",
        reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01+00:00")],
        errors=[
            {
                "url": REPORT_B,
                "stage": "report",
                "reason": "HTTP 500 after 3 attempts",
                "http_status": 500,
                "attempts": 3,
                "crawled_at": "2024-09-01T06:00:02Z",
            }
        ],
    )
    result = load_run(con, run)
    assert (result.new_reports, result.errors, result.already_loaded) == (1, 1, False)
    row = con.execute(
        "SELECT deceased_name_raw, sent_to_raw, first_seen_on, content_hash "
        "FROM raw.judiciary_pfd__reports"
    ).fetchone()
    assert row[0] == "Katie Madden\u00a0"  # raw text kept verbatim
    assert str(row[2]) == "2024-09-01"
    assert con.execute("SELECT kind, is_current FROM raw.judiciary_pfd__documents").fetchall() == [
        ("report", True)
    ]
    assert con.execute("SELECT url, http_status FROM raw.crawl_errors").fetchall() == [
        (REPORT_B, 500)
    ]
    assert con.execute("SELECT new_reports, errors FROM raw.crawl_runs").fetchone() == (1, 1)


def test_reloading_the_same_run_changes_nothing(con, tmp_path):
    run = write_run(
        tmp_path,
        "run-1",
        started_at="2024-09-01T06:00:00+00:00",
        reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01+00:00")],
    )
    load_run(con, run)
    before = {
        t: table_rows(con, t, "ALL")
        for t in ("judiciary_pfd__reports", "judiciary_pfd__documents", "crawl_runs")
    }
    assert load_run(con, run).already_loaded
    after = {t: table_rows(con, t, "ALL") for t in before}
    assert before == after


def test_second_observation_updates_latest_and_keeps_history(con, tmp_path):
    load_run(
        con,
        write_run(
            tmp_path,
            "run-1",
            started_at="2024-09-01T06:00:00+00:00",
            reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01+00:00")],
        ),
    )
    with_response = report_item(
        REPORT_A,
        content_hash="h2",
        crawled_at="2024-09-08T06:00:01+00:00",
        documents=[
            {
                "url": RESPONSE_A,
                "kind": "response",
                "file_name": "x.pdf",
                "upload_year": 2024,
                "upload_month": 8,
            }
        ],
    )
    result = load_run(
        con,
        write_run(
            tmp_path,
            "run-2",
            started_at="2024-09-08T06:00:00+00:00",
            logical_date="2024-09-08",
            reports=[with_response],
        ),
    )
    assert (result.new_reports, result.changed_reports, result.new_documents) == (0, 1, 1)
    first_seen, last_changed, last_fetched = con.execute(
        "SELECT first_seen_at, last_changed_at, last_fetched_on FROM raw.judiciary_pfd__reports"
    ).fetchone()
    assert first_seen.day == 1 and last_changed.day == 8 and last_fetched.day == 8
    assert con.execute(
        "SELECT content_hash FROM raw.judiciary_pfd__report_versions ORDER BY first_seen_at"
    ).fetchall() == [("h1",), ("h2",)]
    documents = dict(
        con.execute("SELECT kind, is_current FROM raw.judiciary_pfd__documents").fetchall()
    )
    # The report PDF vanished from the latest observation: kept, but no longer current.
    assert documents == {"report": False, "response": True}


def test_not_modified_marks_the_page_as_seen_again(con, tmp_path):
    load_run(
        con,
        write_run(
            tmp_path,
            "run-1",
            started_at="2024-09-01T06:00:00+00:00",
            reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01+00:00")],
        ),
    )
    load_run(
        con,
        write_run(
            tmp_path,
            "run-2",
            started_at="2024-09-03T06:00:00+00:00",
            logical_date="2024-09-03",
            not_modified=[
                {
                    "url": REPORT_A,
                    "crawled_at": "2024-09-03T06:00:01Z",
                    "http_etag": '"abc"',
                    "http_last_modified": None,
                }
            ],
        ),
    )
    row = con.execute(
        "SELECT last_seen_run_id, last_fetched_on, last_changed_at::DATE, "
        "(SELECT max(last_seen_at)::DATE FROM raw.judiciary_pfd__documents) "
        "FROM raw.judiciary_pfd__reports"
    ).fetchone()
    assert row[0] == "run-2"
    assert str(row[1]) == "2024-09-03"
    assert str(row[2]) == "2024-09-01"
    assert str(row[3]) == "2024-09-03"


def test_malformed_line_names_file_and_line_and_loads_nothing(con, tmp_path):
    run = write_run(
        tmp_path,
        "run-1",
        started_at="2024-09-01T06:00:00+00:00",
        reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01+00:00")],
    )
    with (run / "reports.jsonl").open("a") as handle:
        handle.write('{"url": "truncated\n')
    with pytest.raises(RawLoadError, match=r"reports\.jsonl:2: not valid JSON"):
        load_run(con, run)
    tables = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'"
    ).fetchone()[0]
    assert tables == 0


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda item: item.pop("content_hash"), "missing content_hash"),
        (lambda item: item.update(url="http://127.0.0.1:8765/x/"), "not a canonical"),
        (lambda item: item["documents"][0].update(kind="pdf"), "has kind 'pdf'"),
        (lambda item: item["header"].update(colour="red"), "unknown header fields"),
        (lambda item: item.update(crawled_at="yesterday"), "not an ISO timestamp"),
        (
            lambda item: item.update(capture_kind="guess", captured_on="2024-04-07"),
            "capture_kind 'guess' is not one of",
        ),
        (
            lambda item: item.update(capture_kind="page_scrape", captured_on="07/04/2024"),
            "captured_on '07/04/2024' is not an ISO date",
        ),
    ],
)
def test_invalid_items_are_rejected_with_a_reason(con, tmp_path, mutate, message):
    item = report_item(REPORT_A, crawled_at="2024-09-01T06:00:01+00:00")
    mutate(item)
    run = write_run(tmp_path, "run-1", started_at="2024-09-01T06:00:00+00:00", reports=[item])
    with pytest.raises(RawLoadError, match=message):
        load_run(con, run)


def test_failed_or_unfinished_runs_are_not_loaded(con, tmp_path):
    failed = write_run(tmp_path, "run-1", started_at="2024-09-01T06:00:00Z", status="failed")
    with pytest.raises(RunNotLoadableError, match="layout drift"):
        load_run(con, failed)
    unfinished = tmp_path / "run-2"
    unfinished.mkdir()
    (unfinished / "reports.jsonl").write_text("")
    with pytest.raises(RunNotLoadableError, match="did not finish"):
        load_run(con, unfinished)


def test_an_older_run_cannot_overwrite_a_newer_one(con, tmp_path):
    load_run(
        con,
        write_run(
            tmp_path,
            "run-new",
            started_at="2024-09-08T06:00:00Z",
            reports=[report_item(REPORT_A, crawled_at="2024-09-08T06:00:01Z")],
        ),
    )
    old = write_run(
        tmp_path,
        "run-old",
        started_at="2024-09-01T06:00:00Z",
        reports=[report_item(REPORT_A, content_hash="old", crawled_at="2024-09-01T06:00:01Z")],
    )
    with pytest.raises(RunNotLoadableError, match="before a run already loaded"):
        load_run(con, old)
    assert con.execute("SELECT content_hash FROM raw.judiciary_pfd__reports").fetchone() == ("h1",)


def test_a_failure_inside_the_transaction_rolls_everything_back(con, tmp_path, monkeypatch):
    load_run(
        con,
        write_run(
            tmp_path,
            "run-1",
            started_at="2024-09-01T06:00:00Z",
            reports=[report_item(REPORT_A, crawled_at="2024-09-01T06:00:01Z")],
        ),
    )
    before = table_rows(con, "judiciary_pfd__reports", "report_url")
    real_apply = raw_load._apply

    def apply_then_fail(*args, **kwargs):
        real_apply(*args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(raw_load, "_apply", apply_then_fail)
    run2 = write_run(
        tmp_path,
        "run-2",
        started_at="2024-09-02T06:00:00Z",
        reports=[
            report_item(REPORT_A, content_hash="h2", crawled_at="2024-09-02T06:00:01Z"),
            report_item(REPORT_B, crawled_at="2024-09-02T06:00:02Z"),
        ],
    )
    with pytest.raises(RawLoadError, match="nothing was loaded: disk full"):
        load_run(con, run2)
    assert table_rows(con, "judiciary_pfd__reports", "report_url") == before
    assert con.execute("SELECT count(*) FROM raw.crawl_runs").fetchone()[0] == 1


def test_the_capture_the_replica_states_is_kept_and_a_live_page_has_none(con, tmp_path):
    replica = report_item(REPORT_A, crawled_at="2024-09-01T06:00:01+00:00")
    replica.update(capture_kind="no_document_links", captured_on="2025-07-31")
    live = report_item(REPORT_B, crawled_at="2024-09-01T06:00:02+00:00")
    run = write_run(
        tmp_path, "run-1", started_at="2024-09-01T06:00:00+00:00", reports=[replica, live]
    )
    load_run(con, run)
    rows = con.execute(
        "SELECT report_url, capture_kind, captured_on::VARCHAR FROM raw.judiciary_pfd__reports "
        "ORDER BY report_url"
    ).fetchall()
    assert sorted(rows) == sorted(
        [(REPORT_A, "no_document_links", "2025-07-31"), (REPORT_B, None, None)]
    )


def test_a_warehouse_made_before_the_capture_columns_gets_them(con, tmp_path):
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.judiciary_pfd__reports (report_url VARCHAR PRIMARY KEY, "
        "content_hash VARCHAR NOT NULL)"
    )
    raw_load.ensure_raw_schema(con)
    columns = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'judiciary_pfd__reports'"
        ).fetchall()
    }
    assert {"capture_kind", "captured_on"} <= columns
