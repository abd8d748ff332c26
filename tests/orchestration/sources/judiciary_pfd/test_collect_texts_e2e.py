"""End to end, report texts: a crawl of the offline snapshot reads each report's text from its
PDF (real transcribed text, or the stand-in), and later crawls fetch a PDF again only when the
report links another one, or when its text was never read."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from scrapers.snapshot.report_text import bundled_report_texts
from scrapers.snapshot.site import SnapshotSite
from tests.orchestration.sources.judiciary_pfd.test_collect_e2e import SMALL_WINDOW, collect

pytestmark = pytest.mark.slow


def texts(warehouse: Path) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT report_url, text_source, document_url, text_status, sent_to_text,"
                " last_seen_run_id FROM raw.judiciary_pfd__report_texts"
            ).fetchall()
        }


def revisits(result) -> list[dict]:
    return json.loads((result.run_dir / "state.json").read_text())["revisit"]


def pdf_requests(result) -> int:
    return int(result.crawl.run["stats"].get("pfdw/report_pdf_requests", 0))


def test_each_report_pdf_is_read_once_and_again_only_when_its_url_changes(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    site = SnapshotSite(as_of=SMALL_WINDOW)
    reports = [e for e in site.listed_entries() if not e.is_legacy_post]
    transcribed = {
        url: text
        for url, text in bundled_report_texts().items()
        if text.kind == "pdf" and any(e.url == url for e in reports)
    }

    full = collect(tmp_path, "w", mode="full", as_of=SMALL_WINDOW)
    assert pdf_requests(full) == full.load.report_texts == len(reports) == 63
    loaded = texts(warehouse)
    assert set(loaded) == {e.url for e in reports}
    assert {url for url, row in loaded.items() if row[2] == "sections"} == set(transcribed)
    assert {row[2] for url, row in loaded.items() if url not in transcribed} == {"stand_in"}
    for url, text in transcribed.items():
        assert " ".join((loaded[url][3] or "").split()) == " ".join(text.sent_to.split()), url
    with duckdb.connect(str(warehouse), read_only=True) as con:
        requests = con.execute("SELECT requests FROM raw.crawl_runs").fetchall()[0][0]
    assert requests == 1 + 8 + 72 + 63  # robots.txt, listing pages, pages, report PDFs

    # A full recrawl reads every page again but no PDF: each was read from the same URL.
    again = collect(tmp_path, "w", mode="full", as_of=SMALL_WINDOW)
    assert pdf_requests(again) == 0 and again.load.report_texts == 0
    assert again.crawl.run["stats"]["pfdw/report_pdfs_already_read"] == 63
    assert {url: row[:4] for url, row in texts(warehouse).items()} == {
        url: row[:4] for url, row in loaded.items()
    }
    # ... and each text is seen again through its page still linking that PDF.
    assert {row[4] for row in texts(warehouse).values()} == {again.load.run_id}

    # One text came from another PDF URL, one was never read: exactly those two are fetched,
    # the second by an incremental run that does not revisit its page.
    moved, lost = sorted(transcribed)[:2]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "UPDATE raw.judiciary_pfd__report_texts SET document_url = document_url || '?old'"
            " WHERE report_url = ?",
            [moved],
        )
        con.execute("DELETE FROM raw.judiciary_pfd__report_texts WHERE report_url = ?", [lost])
    third = collect(tmp_path, "w", mode="full", as_of=SMALL_WINDOW)
    assert pdf_requests(third) == 2
    assert texts(warehouse)[moved][1] == loaded[moved][1]
    assert texts(warehouse)[lost][:4] == loaded[lost][:4]

    with duckdb.connect(str(warehouse)) as con:
        con.execute("DELETE FROM raw.judiciary_pfd__report_texts WHERE report_url = ?", [lost])
    daily = collect(tmp_path, "w", mode="incremental", as_of=SMALL_WINDOW)
    assert lost not in {page["url"] for page in revisits(daily)}
    assert pdf_requests(daily) == daily.crawl.run["stats"]["pfdw/report_pdf_backfill_requests"] == 1
    assert texts(warehouse)[lost][:4] == loaded[lost][:4]
