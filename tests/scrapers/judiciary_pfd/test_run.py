"""Pipelines, stats extension, settings profiles and the crawl runner (scrapers.crawl).

The end-to-end tests crawl the offline snapshot on 127.0.0.1 in a subprocess; they are marked
slow but each takes seconds.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.settings import Settings

from scrapers import crawl, settings
from scrapers.common.items import CrawlErrorItem, NotModifiedItem, SkippedPageItem
from scrapers.extensions import RunStatsExtension, json_safe
from scrapers.judiciary_pfd.items import ReportItem
from scrapers.pipelines import ITEM_FILES, JsonLinesRunPipeline, run_dir_from_settings
from tests.scrapers.judiciary_pfd.support import CANONICAL, FROZEN_NOW_ISO

QUIET = {"LOG_LEVEL": "WARNING"}
SMALL_WINDOW = date(2013, 10, 31)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# --- pipeline and extension ---------------------------------------------------------------------


JUDICIARY_SPIDER = SimpleNamespace(run_item_types=(ReportItem,))


def test_pipeline_writes_each_item_type_to_its_own_file(tmp_path):
    pipeline = JsonLinesRunPipeline(tmp_path / "run")
    pipeline.open_spider(JUDICIARY_SPIDER)
    # The spider's own item file exists from the start: empty means "none", not "not written".
    assert (tmp_path / "run" / "reports.jsonl").read_text(encoding="utf-8") == ""
    report = ReportItem(url=f"{CANONICAL}/r/", header={"ref": "2024-0001\u00a0"}, documents=[])
    pipeline.process_item(report)
    pipeline.process_item(NotModifiedItem(url=f"{CANONICAL}/n/", crawled_at=FROZEN_NOW_ISO))
    pipeline.process_item(SkippedPageItem(url=f"{CANONICAL}/s/", reason="legacy"))
    # Flushed as it goes: readable before the spider closes.
    assert read_jsonl(tmp_path / "run" / "reports.jsonl") == [dict(report)]
    pipeline.close_spider()

    run = tmp_path / "run"
    assert sorted(p.name for p in run.iterdir()) == sorted([*ITEM_FILES.values(), "reports.jsonl"])
    assert read_jsonl(run / "not_modified.jsonl")[0]["url"] == f"{CANONICAL}/n/"
    assert read_jsonl(run / "skipped.jsonl")[0]["reason"] == "legacy"
    assert read_jsonl(run / "errors.jsonl") == []
    # Raw text is kept verbatim (no ASCII escaping of the non-breaking space).
    assert "2024-0001\u00a0" in (run / "reports.jsonl").read_text(encoding="utf-8")


def test_pipeline_needs_a_run_dir_and_rejects_unknown_items(tmp_path):
    with pytest.raises(Exception, match="PFDW_RUN_DIR is not set"):
        run_dir_from_settings(Settings())
    pipeline = JsonLinesRunPipeline(tmp_path)
    pipeline.open_spider()
    with pytest.raises(TypeError, match="no output file for item type dict: expected one of"):
        pipeline.process_item({"url": "x"})
    pipeline.close_spider()


def test_items_of_other_sources_name_their_own_file(tmp_path):
    import scrapy

    class RecommendationItem(scrapy.Item):
        run_file = "recommendations.jsonl"
        url = scrapy.Field()

    class ClashingItem(scrapy.Item):
        run_file = "reports.jsonl"

    pipeline = JsonLinesRunPipeline(tmp_path)
    pipeline.open_spider(JUDICIARY_SPIDER)
    pipeline.process_item(RecommendationItem(url="https://www.hssib.org.uk/r/"))
    with pytest.raises(TypeError, match="both write reports.jsonl"):
        pipeline.process_item(ClashingItem())
    pipeline.close_spider()
    assert read_jsonl(tmp_path / "recommendations.jsonl") == [
        {"url": "https://www.hssib.org.uk/r/"}
    ]


def test_stats_are_made_json_safe():
    moment = datetime(2026, 2, 1, tzinfo=UTC)
    assert json_safe({"start_time": moment, "n": 3, "nested": {"x": (1, 2)}, "o": object}) == {
        "start_time": "2026-02-01T00:00:00+00:00",
        "n": 3,
        "nested": {"x": [1, 2]},
        "o": repr(object),
    }


def test_stats_extension_writes_stats_json_with_item_counts(tmp_path):
    class FakeStats:
        def __init__(self):
            self.values = {"start_time": datetime(2026, 2, 1, tzinfo=UTC)}

        def inc_value(self, key, count=1):
            self.values[key] = self.values.get(key, 0) + count

        def get_stats(self):
            return self.values

    class FakeCrawler:
        settings = Settings({"PFDW_RUN_DIR": str(tmp_path)})
        stats = FakeStats()

    extension = RunStatsExtension(FakeCrawler())
    extension.item_scraped(ReportItem())
    extension.item_scraped(ReportItem())
    extension.item_scraped(CrawlErrorItem())
    extension.spider_closed(None, "finished")

    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["pfdw/items/ReportItem"] == 2
    assert stats["pfdw/items/CrawlErrorItem"] == 1
    assert stats["finish_reason"] == "finished"
    assert stats["start_time"] == "2026-02-01T00:00:00+00:00"


# --- settings and command ----------------------------------------------------------------------


def test_live_profile_is_polite_and_snapshot_profile_is_fast():
    live, snapshot = settings.LIVE_SETTINGS, settings.SNAPSHOT_SETTINGS
    assert live["ROBOTSTXT_OBEY"] and snapshot["ROBOTSTXT_OBEY"]
    assert live["AUTOTHROTTLE_ENABLED"] and live["AUTOTHROTTLE_TARGET_CONCURRENCY"] == 1
    assert live["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2 and live["DOWNLOAD_DELAY"] == 1
    assert live["HTTPCACHE_ENABLED"] is False
    assert snapshot["DOWNLOAD_DELAY"] == 0 and not snapshot["AUTOTHROTTLE_ENABLED"]
    assert {408, 429, 500, 502, 503, 504} <= set(settings.RETRY_HTTP_CODES)
    assert settings.PFDW_LISTING_RETRY_TIMES > settings.PFDW_REPORT_RETRY_TIMES


def test_user_agent_names_the_project_and_the_contact():
    built = crawl.build_settings("live", Path("/tmp/run"), "data-team@example.org", None)
    assert "pfd-warehouse" in built["USER_AGENT"]
    assert "data-team@example.org" in built["USER_AGENT"]
    placeholder = crawl.build_settings("live", Path("/tmp/run"), None, None)["USER_AGENT"]
    assert settings.PLACEHOLDER_CONTACT in placeholder
    with pytest.raises(ValueError, match="single non-empty line"):
        settings.user_agent("a\r\nX-Injected: 1")


def test_command_passes_spider_arguments_and_settings():
    built = crawl.build_settings("snapshot", Path("/tmp/run"), None, {"DOWNLOAD_TIMEOUT": 2})
    command = crawl.build_command(
        "judiciary_pfd", {"base_url": "http://127.0.0.1:1", "state_file": None}, built
    )
    assert command[1:5] == ["-m", "scrapy", "crawl", "judiciary_pfd"]
    assert "base_url=http://127.0.0.1:1" in command
    assert not any(part.startswith("state_file=") for part in command)
    assert "DOWNLOAD_TIMEOUT=2" in command
    assert "PFDW_RUN_DIR=/tmp/run" in command
    assert "AUTOTHROTTLE_ENABLED=False" in command


# --- run validation ------------------------------------------------------------------------------


def finished_stats(**values):
    return {"finish_reason": "finished", "pfdw/listing_page_1_cards": 10, **values}


@pytest.mark.parametrize(
    ("stats", "message", "error"),
    [
        (finished_stats(**{"pfdw/report_pages": 10}), None, None),
        (
            finished_stats(
                **{"pfdw/report_pages": 120, "pfdw/report_pages_parsed_to_nothing": 120}
            ),
            "layout drift: 120 of 120 report pages parsed to nothing; selectors in "
            "scrapers/judiciary_pfd/selectors.py no longer match the site",
            crawl.LayoutDriftError,
        ),
        (
            finished_stats(**{"pfdw/report_pages": 72, "pfdw/report_pages_parsed_to_nothing": 9}),
            None,
            None,
        ),
        (
            finished_stats(**{"pfdw/listing_page_1_cards": 0}),
            "layout drift: listing page 1 had no report cards",
            crawl.LayoutDriftError,
        ),
        ({"finish_reason": "shutdown"}, "closed with reason 'shutdown'", crawl.CrawlFailedError),
        (None, "wrote no stats.json", crawl.CrawlFailedError),
        (
            {"finish_reason": "finished"},
            "listing page 1 could not be fetched",
            crawl.CrawlFailedError,
        ),
    ],
)
def test_validate_run(tmp_path, stats, message, error):
    reason, error_type = crawl.validate_run(stats, tmp_path)
    if message is None:
        assert (reason, error_type) == (None, None)
    else:
        assert message in reason
        assert error_type is error


def test_run_crawl_rejects_bad_arguments_before_crawling(tmp_path):
    with pytest.raises(ValueError, match="source must be one of"):
        crawl.run_crawl(source="web", run_dir=tmp_path / "a")
    with pytest.raises(ValueError, match="needs a state_file"):
        crawl.run_crawl(run_dir=tmp_path / "a", mode="incremental")
    with pytest.raises(ValueError, match="as_of applies to the offline snapshot only"):
        crawl.run_crawl(source="live", run_dir=tmp_path / "a", as_of=SMALL_WINDOW)
    with pytest.raises(ValueError, match="apply only to a snapshot the runner starts"):
        crawl.run_crawl(run_dir=tmp_path / "a", base_url="http://127.0.0.1:9", snapshot_layout="x")
    used = tmp_path / "used"
    used.mkdir()
    (used / "reports.jsonl").write_text("")
    with pytest.raises(ValueError, match="already holds reports.jsonl"):
        crawl.run_crawl(run_dir=used, base_url="http://127.0.0.1:9")


def test_an_unknown_spider_is_refused_before_anything_starts(tmp_path):
    with pytest.raises(ValueError, match="unknown spider 'no_such_spider'; known: .*judiciary_pfd"):
        crawl.run_crawl(spider="no_such_spider", run_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_crawl_process_that_fails_is_recorded_and_raised(tmp_path):
    with pytest.raises(crawl.CrawlFailedError, match="exited with code") as raised:
        crawl.run_crawl(
            run_dir=tmp_path / "run",
            base_url="http://127.0.0.1:9",
            # Scrapy cannot find the spider, so the crawl process exits non-zero.
            settings_overrides={"SPIDER_MODULES": "scrapers.common.items"},
        )
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["status"] == "failed"
    assert run["failure_reason"] == raised.value.result.failure_reason
    assert run["run_id"] == "run"


# --- end to end against the offline snapshot -----------------------------------------------------

snapshot_server = pytest.importorskip("scrapers.snapshot.server")
snapshot_site = pytest.importorskip("scrapers.snapshot.site")


def listed(as_of: date) -> tuple[set[str], set[str]]:
    site = snapshot_site.SnapshotSite(as_of=as_of)
    reports = {e.url for e in site.listed_entries() if not e.is_legacy_post}
    legacy = {e.url for e in site.listed_entries() if e.is_legacy_post}
    return reports, legacy


@pytest.mark.slow
def test_small_window_crawl_yields_exactly_the_listed_reports(tmp_path):
    result = crawl.run_crawl(run_dir=tmp_path / "run", as_of=SMALL_WINDOW, settings_overrides=QUIET)
    reports, legacy = listed(SMALL_WINDOW)
    run_dir = tmp_path / "run"
    crawled = [item["url"] for item in read_jsonl(run_dir / "reports.jsonl")]
    assert len(crawled) == len(set(crawled))
    assert set(crawled) == reports
    assert {item["url"] for item in read_jsonl(run_dir / "skipped.jsonl")} == legacy
    assert read_jsonl(run_dir / "errors.jsonl") == []

    run = json.loads((run_dir / "run.json").read_text())
    assert result.status == run["status"] == "finished"
    assert run["as_of"] == run["logical_date"] == "2013-10-31"
    assert run["mode"] == "full" and run["source"] == "snapshot"
    assert run["base_url"].startswith("http://127.0.0.1:")
    assert run["counts"]["reports_parsed"] == len(reports)
    assert run["counts"]["skipped"] == len(legacy)
    assert run["counts"]["report_pages"] == len(reports) + len(legacy)
    assert run["counts"]["listing_pages"] == -(-(len(reports) + len(legacy)) // 10)
    stats = json.loads((run_dir / "stats.json").read_text())
    assert stats["finish_reason"] == "finished"
    assert stats["pfdw/items/ReportItem"] == len(reports)
    assert stats["downloader/response_status_count/200"] == run["counts"]["pages_fetched"]


@pytest.mark.slow
def test_incremental_crawl_fetches_new_reports_and_revisits_conditionally(tmp_path):
    # One server for both runs: the snapshot's ETags cover the served body, origin included.
    config = snapshot_server.SnapshotConfig(as_of=SMALL_WINDOW)
    with snapshot_server.serve_in_background(config) as server:
        first = crawl.run_crawl(
            run_dir=tmp_path / "full", base_url=server.base_url, settings_overrides=QUIET
        )
        by_url = {item["url"]: item for item in read_jsonl(first.run_dir / "reports.jsonl")}
        newest_first = snapshot_site.SnapshotSite(as_of=SMALL_WINDOW).listed_report_urls()
        _, legacy = listed(SMALL_WINDOW)
        new, known = newest_first[:15], newest_first[15:]
        old_reports = [url for url in known if url in by_url]
        revisit = [
            {"url": url, "etag": by_url[url]["http_etag"], "last_modified": None}
            for url in old_reports[:2]
        ] + [
            {"url": url, "etag": None, "last_modified": by_url[url]["http_last_modified"]}
            for url in old_reports[2:4]
        ]
        state = tmp_path / "state.json"
        state.write_text(json.dumps({"known_urls": known, "revisit": revisit}))

        second = crawl.run_crawl(
            run_dir=tmp_path / "incremental",
            mode="incremental",
            state_file=state,
            base_url=server.base_url,
            settings_overrides=QUIET,
        )
    run_dir = second.run_dir
    assert {item["url"] for item in read_jsonl(run_dir / "reports.jsonl")} == set(new) - legacy
    assert {item["url"] for item in read_jsonl(run_dir / "skipped.jsonl")} == set(new) & legacy
    not_modified = read_jsonl(run_dir / "not_modified.jsonl")
    assert sorted(item["url"] for item in not_modified) == sorted(e["url"] for e in revisit)
    # Pages 1 and 2 hold the 15 new pages; page 3 is the first wholly known page.
    assert second.counts["listing_pages"] == 3
    assert second.counts["not_modified"] == 4
    # Listing pages, new reports, revisits, robots.txt, and the new reports' report PDFs (the
    # revisited pages answered 304, so their PDFs are not asked for).
    pdf_texts = [t for t in read_jsonl(run_dir / "report_texts.jsonl") if t["text_source"] == "pdf"]
    assert {t["url"] for t in pdf_texts} <= set(new)
    assert second.run["stats"]["pfdw/report_pdf_requests"] == len(pdf_texts) > 0
    assert second.counts["requests"] == 3 + 15 + 4 + 1 + len(pdf_texts)
    assert second.counts["report_texts"] == len(read_jsonl(run_dir / "report_texts.jsonl"))


@pytest.mark.slow
def test_the_2025_08_layout_fails_the_run_as_layout_drift(tmp_path):
    with pytest.raises(crawl.LayoutDriftError, match=r"layout drift: \d+ of \d+ report pages"):
        crawl.run_crawl(
            run_dir=tmp_path / "run",
            as_of=SMALL_WINDOW,
            snapshot_layout="2025-08",
            settings_overrides=QUIET,
        )
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["status"] == "failed"
    assert "scrapers/judiciary_pfd/selectors.py no longer match the site" in run["failure_reason"]
    assert read_jsonl(tmp_path / "run" / "reports.jsonl") == []


@pytest.mark.slow
def test_faulty_snapshot_loses_nothing_silently(tmp_path):
    faults = snapshot_server.FaultConfig(
        error_rate=0.15,
        timeout_rate=0.05,
        timeout_seconds=1.0,
        truncate_rate=0.1,
        permanent_error_rate=0.05,
        seed=7,
    )
    result = crawl.run_crawl(
        run_dir=tmp_path / "run",
        as_of=SMALL_WINDOW,
        snapshot_faults=faults,
        settings_overrides={**QUIET, "DOWNLOAD_TIMEOUT": 1},
    )
    run_dir = result.run_dir
    reports, legacy = listed(SMALL_WINDOW)
    crawled = {item["url"] for item in read_jsonl(run_dir / "reports.jsonl")}
    skipped = {item["url"] for item in read_jsonl(run_dir / "skipped.jsonl")}
    errors = read_jsonl(run_dir / "errors.jsonl")
    failed_reports = {e["url"] for e in errors if e["stage"] == "report"}

    assert failed_reports, "the fault settings should make some report pages fail for good"
    assert all(e["reason"].startswith("HTTP 500 after") for e in errors)
    assert crawled.isdisjoint(failed_reports)
    # Every listed page is accounted for, even those on a listing page that failed for good
    # (seed 7 makes listing page 4 answer 500 on every attempt; its search mirror is read).
    assert crawled | skipped | failed_reports == reports | legacy
    stats = json.loads((run_dir / "stats.json").read_text())
    assert stats["pfdw/listing_mirror_requests"] >= 1
    assert stats.get("retry/count", 0) > 0
    assert stats.get("pfdw/truncated_responses", 0) > 0
    assert result.status == "finished"


@pytest.mark.slow
def pfdw_crawl(*argv: str) -> int:
    """``pfdw collect --crawl-only ...``: the crawl runner's command line."""
    from orchestration.cli import main

    return main(["collect", "--crawl-only", *argv])


def test_cli_runs_a_crawl_and_reports_a_summary(tmp_path, capsys):
    code = pfdw_crawl(
        *[
            "--run-dir",
            str(tmp_path / "run"),
            "--as-of",
            "2013-10-31",
            "--max-listing-pages",
            "2",
            "--set",
            "LOG_LEVEL=WARNING",
        ]
    )
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["status"] == "finished"
    assert summary["counts"]["listing_pages"] == 2
    assert summary["counts"]["reports_parsed"] + summary["counts"]["skipped"] == 20


def test_cli_rejects_bad_options_clearly(tmp_path, capsys):
    assert pfdw_crawl("--run-dir", str(tmp_path / "r"), "--set", "LOG_LEVEL") == 2
    assert "--set must look like NAME=VALUE" in capsys.readouterr().err
    code = pfdw_crawl("--run-dir", str(tmp_path / "r"), "--error-rate", "1.5")
    assert code == 2
    assert "error_rate must be a share between 0 and 1" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_fault_flags_reach_the_snapshot(tmp_path, capsys):
    code = pfdw_crawl(
        *[
            "--run-dir",
            str(tmp_path / "run"),
            "--as-of",
            "2013-10-31",
            "--max-listing-pages",
            "1",
            "--permanent-error-rate",
            "1",
            "--set",
            "LOG_LEVEL=WARNING",
            "--set",
            "PFDW_LISTING_RETRY_TIMES=0",
        ]
    )
    summary = json.loads(capsys.readouterr().out)
    assert code == 1
    assert summary["failure_reason"].startswith("listing page 1 could not be fetched: HTTP 500")


def test_drift_message_names_the_spiders_own_selectors_module(tmp_path):
    stats = finished_stats(**{"pfdw/report_pages": 4, "pfdw/report_pages_parsed_to_nothing": 4})
    reason, error_type = crawl.validate_run(stats, tmp_path, "hssib_recommendations")
    assert error_type is crawl.LayoutDriftError
    assert "scrapers/hssib_recommendations/selectors.py" in reason
    reason, _ = crawl.validate_run(stats, tmp_path)
    assert "scrapers/judiciary_pfd/selectors.py" in reason


def test_run_times_keep_microseconds_so_two_quick_runs_never_tie():
    from datetime import UTC, datetime

    first = crawl._iso(datetime(2026, 11, 22, 1, 0, 30, 100, tzinfo=UTC))
    second = crawl._iso(datetime(2026, 11, 22, 1, 0, 30, 900, tzinfo=UTC))
    assert first < second
    assert datetime.fromisoformat(first) < datetime.fromisoformat(second)
