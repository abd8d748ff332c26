"""Crawl progress: the extension's progress.json, the estimate of time left, the lines a person
reads, and the runner calling back while a crawl of the offline snapshot runs."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.settings import Settings

from scrapers import crawl
from scrapers.common.progress import (
    PROGRESS_FILE,
    ProgressTracker,
    format_duration,
    format_pages,
    format_time_left,
    remaining_pages,
)
from scrapers.extensions import CrawlProgressExtension

# --- the extension -------------------------------------------------------------------------------


class FakeStats:
    def __init__(self, values: dict):
        self.values = values

    def get_value(self, key, default=None):
        return self.values.get(key, default)


def request(stage: str | None = None, **meta) -> SimpleNamespace:
    return SimpleNamespace(meta={"stage": stage, **meta} if stage else meta)


def test_the_extension_writes_pages_done_pending_and_asked_for_per_stage(tmp_path):
    crawler = SimpleNamespace(
        settings=Settings({"PFDW_RUN_DIR": str(tmp_path), "PFDW_PROGRESS_INTERVAL": 0}),
        stats=FakeStats({"pfdw/items/CrawlErrorItem": 2, "item_scraped_count": 7}),
        spider=SimpleNamespace(name="judiciary_pfd"),
        engine=SimpleNamespace(scraper=SimpleNamespace(slot=SimpleNamespace(queue=[], active=[]))),
    )
    extension = CrawlProgressExtension(crawler, interval=0)
    extension.spider_opened()
    listing = [request("listing") for _ in range(3)]
    reports = [request("report") for _ in range(5)]
    for each in [*listing, *reports]:
        extension.request_scheduled(each)
    extension.request_scheduled(request("report", retry_times=1))  # a retry: not a new page
    extension.request_dropped(reports[4])  # a duplicate: never goes out
    robots = request()  # fetched without being scheduled
    for each in [robots, *listing, reports[0]]:
        extension.request_left_downloader(each)
        extension.response_received(None, each)
    # The last listing page is answered but its callback has not run: it may ask for more.
    crawler.engine.scraper.slot.queue.append((None, listing[2], None))
    extension.write()

    snapshot = json.loads((tmp_path / PROGRESS_FILE).read_text())
    assert snapshot["done"] == {"": 1, "listing": 3, "report": 1}
    # 6 report requests scheduled (one a retry), one dropped, one answered.
    assert snapshot["pending"] == {"listing": 1, "report": 4}
    assert snapshot["requested"] == {"listing": 3, "report": 5}
    assert (snapshot["errors"], snapshot["items"], snapshot["spider"]) == (2, 7, "judiciary_pfd")
    assert snapshot["finished"] is False and snapshot["sequence"] == 1

    extension.spider_closed(None, "finished")
    closing = json.loads((tmp_path / PROGRESS_FILE).read_text())
    assert (closing["finished"], closing["finish_reason"], closing["sequence"]) == (
        True,
        "finished",
        2,
    )
    assert not list(tmp_path.glob("*.partial"))


# --- the estimate --------------------------------------------------------------------------------


def snapshot(done=None, pending=None, requested=None, **extra) -> dict:
    return {"done": done or {}, "pending": pending or {}, "requested": requested or {}, **extra}


def test_time_left_is_unknown_when_nothing_is_known():
    assert remaining_pages(snapshot()) is None  # nothing answered yet
    # The listing is walked page by page: how long it is nobody knows yet.
    walking = snapshot({"listing": 2}, {"listing": 1, "report": 12}, {"listing": 3, "report": 12})
    assert remaining_pages(walking) is None
    # Reports asked for, none answered: how many PDFs they lead to is unknown.
    no_report_yet = snapshot({"listing": 3}, {"report": 30}, {"listing": 3, "report": 30})
    assert remaining_pages(no_report_yet) is None
    assert format_time_left(None, 12.0) == "time left unknown"
    assert format_time_left(100, None) == "time left unknown"
    assert format_time_left(100, 0.0) == "time left unknown"


def test_time_left_counts_pages_asked_for_and_those_they_lead_to():
    # 40 reports answered asked for 20 PDFs (one in two): the 60 reports still pending will
    # ask for about 30 more; 5 PDFs are pending already.
    state = snapshot(
        {"listing": 10, "report": 40, "report_pdf": 15},
        {"report": 60, "report_pdf": 5},
        {"listing": 10, "report": 100, "report_pdf": 20},
    )
    assert remaining_pages(state) == pytest.approx(60 + 5 + 30)
    # Listing pages asked for all at once (the spider says how many): each leads to ten
    # reports, each report to half a PDF.
    expected = snapshot(
        {"listing": 2, "report": 10},
        {"listing": 3, "report": 10},
        {"listing": 5, "report": 20, "report_pdf": 5},
        listing_pages_expected=5,
    )
    assert remaining_pages(expected) == pytest.approx(3 + 10 + 30 + (10 + 30) * 0.5)
    assert remaining_pages(snapshot({"listing": 1, "report": 3})) == 0


@pytest.mark.parametrize(
    ("remaining", "rate", "text"),
    [
        (310, 10.0, "~31 s left (est.)"),
        (0.2, 10.0, "finishing"),
        (3000, 10.0, "~5 min left (est.)"),
        (100_000, 10.0, "~2.8 h left (est.)"),
    ],
)
def test_time_left_formatting(remaining, rate, text):
    assert format_time_left(remaining, rate) == text


def test_durations_and_page_counts_read_naturally():
    assert [format_duration(s) for s in (0.2, 31.4, 89, 95, 5399, 5400)] == [
        "1 s",
        "31 s",
        "89 s",
        "2 min",
        "90 min",
        "1.5 h",
    ]
    state = snapshot({"": 1, "report_pdf": 4, "canary": 2, "report": 1200, "listing": 38})
    assert format_pages(state) == "1,245 pages (38 listing, 1,202 report, 4 PDF, 1 other)"
    assert format_pages(snapshot()) == "0 pages"


def test_the_line_shows_pages_rate_errors_and_time_left_over_a_recent_window():
    tracker = ProgressTracker("judiciary_pfd", window_s=10)
    first = tracker.update(
        snapshot({"listing": 1}, {"listing": 9}, {"listing": 10}, elapsed_s=2.0, errors=0)
    )
    assert first.line == "judiciary_pfd: 1 page (1 listing), 0.5 pages/s, 0 errors, " + (
        "time left unknown"
    )
    tracker.update(snapshot({"listing": 10, "report": 90}, elapsed_s=12.0))
    # 100 pages in the last 10 s; 300 reports pending at 10 pages/s.
    line = tracker.update(
        snapshot(
            {"listing": 10, "report": 190},
            {"report": 300},
            {"listing": 10, "report": 490},
            elapsed_s=22.0,
            errors=3,
        )
    )
    assert line.line == (
        "judiciary_pfd: 200 pages (10 listing, 190 report), 10.0 pages/s, 3 errors,"
        " ~30 s left (est.)"
    )
    assert (line.pages_per_second, line.seconds_left, line.final) == (10.0, 30.0, False)
    final = tracker.final("finished", "full", 25.0)
    assert final.final
    assert final.line == (
        "judiciary_pfd full crawl finished: 200 pages (10 listing, 190 report) in 25.0 s,"
        " 8.0 pages/s, 3 errors"
    )


# --- the runner ----------------------------------------------------------------------------------


def test_the_progress_interval_comes_from_the_caller_the_settings_or_the_environment(
    monkeypatch,
):
    monkeypatch.delenv("PFDW_PROGRESS_INTERVAL", raising=False)
    assert crawl.progress_interval(None, None) == 5.0
    monkeypatch.setenv("PFDW_PROGRESS_INTERVAL", "2.5")
    assert crawl.progress_interval(None, None) == 2.5
    assert crawl.progress_interval(None, {"PFDW_PROGRESS_INTERVAL": "0"}) == 0.0
    assert crawl.progress_interval(1, {"PFDW_PROGRESS_INTERVAL": "0"}) == 1.0
    monkeypatch.setenv("PFDW_PROGRESS_INTERVAL", "soon")
    with pytest.raises(ValueError, match=r"^\$PFDW_PROGRESS_INTERVAL must be a number of seconds"):
        crawl.progress_interval(None, None)
    with pytest.raises(ValueError, match="progress_interval_s must be a number of seconds"):
        crawl.run_crawl(run_dir=Path("/nonexistent/run"), progress_interval_s=-1)


def child_pids() -> set[int]:
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                children.add(int(entry.name))
    return children


SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_a_failing_progress_callback_stops_the_crawl_process_and_leaves_none_behind(tmp_path):
    before = child_pids()
    calls = []

    def poll():
        calls.append(1)
        raise RuntimeError("the log is gone")

    with pytest.raises(RuntimeError, match="the log is gone"):
        crawl._run_subprocess(SLEEPER, dict(os.environ), tmp_path / "crawl.log", None, poll=poll)
    assert calls == [1]
    assert child_pids() <= before


def test_a_crawl_process_over_its_time_is_killed_while_progress_is_polled(tmp_path):
    polls = []
    started = time.monotonic()
    returncode, timed_out, _rss, seconds = crawl._run_subprocess(
        SLEEPER, dict(os.environ), tmp_path / "crawl.log", 0.6, poll=lambda: polls.append(1)
    )
    assert timed_out and returncode != 0
    assert 0.5 < seconds < 5 and time.monotonic() - started < 5
    assert len(polls) >= 2  # polled every POLL_SECONDS while it waited


@pytest.mark.slow
def test_the_runner_reports_progress_while_a_snapshot_crawl_runs(tmp_path):
    reports = []
    result = crawl.run_crawl(
        run_dir=tmp_path / "run",
        as_of=date(2013, 10, 31),
        max_listing_pages=1,
        # a polite delay makes the crawl last a few seconds even on a quiet machine, so the
        # progress interval passes several times while it runs
        settings_overrides={
            "LOG_LEVEL": "WARNING",
            "DOWNLOAD_DELAY": 0.15,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "AUTOTHROTTLE_ENABLED": False,
        },
        progress_interval_s=0.1,
        on_progress=reports.append,
    )
    during, final = reports[:-1], reports[-1]
    assert during, "no progress line while the crawl ran"
    assert all(not each.final and each.line.startswith("judiciary_pfd: ") for each in during)
    assert [each.pages for each in during] == sorted(each.pages for each in during)
    assert final.final and final.pages == result.counts["pages_fetched"]
    assert final.line.startswith("judiciary_pfd full crawl finished: ")
    assert "(1 listing, 10 report, " in final.line and final.line.endswith(" pages/s, 0 errors")
