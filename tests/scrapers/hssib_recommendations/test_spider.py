"""The hssib_recommendations spider: callbacks on snapshot pages, and an end-to-end crawl of the
HSSIB section served on 127.0.0.1 (Scrapy in a subprocess: its reactor cannot restart)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from scrapers.common.items import CrawlErrorItem
from scrapers.hssib_recommendations.items import HssibRecommendationItem
from scrapers.hssib_recommendations.spider import HssibRecommendationsSpider
from scrapers.snapshot.hssib import handle_request, load_site
from tests.scrapers.hssib_recommendations.support import (
    expected_due_texts,
    expected_investigation_url,
    expected_reference,
    serve_hssib,
)

PROJECT_ROOT = Path(__file__).resolve().parents[3]
ORIGIN = "http://127.0.0.1:8765"
SITE = load_site()
FIXED_CLOCK = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def spider() -> HssibRecommendationsSpider:
    return HssibRecommendationsSpider(base_url=ORIGIN, clock=lambda: FIXED_CLOCK)


def response_for(path: str, query: str = "", **cb_kwargs) -> HtmlResponse:
    status, headers, body = handle_request(path, {"page": [query]} if query else {}, SITE)
    url = ORIGIN + path + (f"?page={query}" if query else "")
    request = Request(url, cb_kwargs=cb_kwargs, meta={"stage": "test"})
    return HtmlResponse(url, status=status, headers=headers, body=body, request=request)


def test_base_url_must_be_an_origin():
    with pytest.raises(ValueError, match="base_url must be an origin"):
        HssibRecommendationsSpider(base_url="http://127.0.0.1:1/safety-recommendations-log/")
    with pytest.raises(ValueError, match="mode must be one of"):
        HssibRecommendationsSpider(base_url=ORIGIN, mode="incremental")
    with pytest.raises(ValueError, match="max_listing_pages must be at least 1"):
        HssibRecommendationsSpider(base_url=ORIGIN, max_listing_pages="0")


def test_listing_yields_item_requests_then_the_next_page():
    walker = spider()
    results = list(walker.parse_listing(response_for("/safety-recommendations-log/"), 1))
    callbacks = [request.callback.__name__ for request in results]
    assert callbacks == ["parse_recommendation"] * 10 + ["parse_listing"]
    assert results[0].cb_kwargs["listing_page"] == 1
    assert results[-1].url == ORIGIN + "/safety-recommendations-log/?page=2"
    assert results[-1].cb_kwargs == {"page_number": 2}
    assert len(walker.pending_investigations) == 7  # held until the listing is walked


def test_investigation_pages_are_requested_once_after_the_last_listing_page():
    walker = spider()
    requested = []
    for page in range(1, SITE.page_count + 1):
        response = response_for("/safety-recommendations-log/", str(page) if page > 1 else "")
        requested.extend(walker.parse_listing(response, page))
    investigations = [r.url for r in requested if r.callback.__name__ == "parse_investigation"]
    assert sorted(investigations) == sorted(ORIGIN + i.path for i in SITE.investigations.values())
    assert requested[-1].callback.__name__ == "parse_investigation"


def test_lost_listing_page_falls_back_to_the_investigation_pages():
    walker = spider()
    list(walker.parse_listing(response_for("/safety-recommendations-log/"), 1))
    lost = response_for("/safety-recommendations-log/", "2")
    cut = lost.replace(body=lost.body[:200])
    cut = cut.replace(request=cut.request.replace(meta={"truncated_attempts": 9}))
    results = list(walker.parse_listing(cut, 2))
    assert isinstance(results[0], CrawlErrorItem) and results[0]["stage"] == "listing"
    assert [r.callback.__name__ for r in results[1:]] == ["parse_investigation"] * 7


def test_listing_stops_at_max_listing_pages():
    limited = HssibRecommendationsSpider(base_url=ORIGIN, max_listing_pages=1)
    results = list(limited.parse_listing(response_for("/safety-recommendations-log/"), 1))
    assert all(r.callback.__name__ != "parse_listing" for r in results)
    assert [r.callback.__name__ for r in results].count("parse_investigation") == 7


def test_headerless_page_takes_the_investigation_from_the_listing():
    record = next(r for r in SITE.records if not r.has_header)
    context = {
        "investigation_title": record.investigation_title,
        "investigation_url": expected_investigation_url(record),
        "investigation_source": "listing",
    }
    (item,) = spider().parse_recommendation(response_for(record.page_path), context, 1)
    assert isinstance(item, HssibRecommendationItem)
    assert item["investigation_title"] == record.investigation_title
    assert item["investigation_source"] == "listing"
    assert "investigation title taken from the listing" in item["parse_warnings"]
    assert item["page_path"] == record.page_path
    assert item["log_url"] == "https://www.hssib.org.uk" + record.page_path
    assert item["crawled_at"] == FIXED_CLOCK.isoformat()
    assert item["http_etag"]


def test_page_cut_off_in_transit_is_fetched_again_then_becomes_an_error_item():
    record = SITE.records[0]
    full = response_for(record.page_path)
    cut = full.replace(body=full.body[: len(full.body) // 2])
    (again,) = spider().parse_recommendation(cut, {}, None)
    assert isinstance(again, Request) and again.dont_filter
    assert again.meta["truncated_attempts"] == 2
    last = cut.replace(request=cut.request.replace(meta={"truncated_attempts": 4}))
    (error,) = spider().parse_recommendation(last, {}, None)
    assert isinstance(error, CrawlErrorItem)
    assert error["reason"] == "page arrived without its footer (cut off in transit) 4 times"
    assert error["stage"] == "recommendation"
    assert error["url"] == "https://www.hssib.org.uk" + record.page_path


def test_investigation_block_without_a_link_becomes_an_item():
    html = (
        '<html><head><link rel="canonical" href="https://www.hssib.org.uk/patient-safety-'
        'investigations/x/"></head><body><main><article><h1>X inv</h1>'
        '<div class="investigation-recommendation"><h3>NHS England</h3>'
        "<p>HSSIB recommends that NHS England acts.</p></div></article></main>"
        '<footer class="site-footer"></footer></body></html>'
    )
    url = ORIGIN + "/patient-safety-investigations/x/"
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))
    (item,) = spider().parse_investigation(response)
    assert item["source_page_kind"] == "investigation_page"
    assert item["page_path"] == "/patient-safety-investigations/x/#recommendation-1"
    assert item["investigation_url"] == "https://www.hssib.org.uk/patient-safety-investigations/x/"
    assert item["recipients"] == ["NHS England"]
    assert item["log_url"] is None
    assert (item["captured_on"], item["capture_date_basis"]) == (None, None)


# --- end to end ----------------------------------------------------------------------------------


def run_crawl(base_url: str, run_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    """The spider with the project's settings and run pipeline, writing into ``run_dir``."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "scrapers.settings"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "hssib_recommendations",
        "-a",
        f"base_url={base_url}",
        "-s",
        f"PFDW_RUN_DIR={run_dir}",
        "-s",
        "SPIDER_MODULES=scrapers.hssib_recommendations.spider",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s",
        "LOG_LEVEL=WARNING",
        *extra,
    ]
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def crawled_items(tmp_path_factory) -> list[dict]:
    run_dir = tmp_path_factory.mktemp("hssib_crawl")
    with serve_hssib() as base_url:
        result = run_crawl(base_url, run_dir)
    assert result.returncode == 0, result.stderr[-4000:]
    items = []
    for name in (HssibRecommendationItem.run_file, "errors.jsonl"):
        lines = (run_dir / name).read_text(encoding="utf-8").splitlines()
        items.extend(json.loads(line) for line in lines)
    return items


@pytest.mark.slow
def test_crawl_yields_every_record_once(crawled_items):
    recommendations = [item for item in crawled_items if "recommendation_text" in item]
    errors = [item for item in crawled_items if "stage" in item]
    assert errors == []
    assert sorted(item["page_path"] for item in recommendations) == sorted(
        record.page_path for record in SITE.records
    )


@pytest.mark.slow
@pytest.mark.parametrize("record", SITE.records, ids=lambda r: f"line-{r.source_line}")
def test_crawled_item_matches_its_record(crawled_items, record):
    (item,) = [i for i in crawled_items if i.get("page_path") == record.page_path]
    assert item["source_page_kind"] == "log_item"
    assert item["log_url"] == record.log_item_url
    assert item["investigation_title"] == record.investigation_title
    assert item["investigation_url"] == expected_investigation_url(record)
    assert item["reference"] == expected_reference(record)
    assert item["recommendation_date"] is None  # no record has one
    assert item["recipients"] == list(record.recipients)
    assert item["recommendation_text"] == record.recommendation_text
    assert item["response_text"] == record.response_text
    assert item["closure_note"] == record.closure_note
    assert [a["text"] for a in item["planned_actions"]] == [a.text for a in record.actions]
    assert [a["due_text"] for a in item["planned_actions"]] == expected_due_texts(record)
    assert item["response_received_raw"] == record.response_received_date
    assert item["truncated"] is record.truncated
    assert item["captured_on"] == record.captured_on.isoformat()
    assert item["capture_date_basis"] == "on_or_after"
    assert item["listing_page"] == SITE.records.index(record) // SITE.entries_per_page + 1
    if record.response_received_date:
        day = datetime.strptime(record.response_received_date, "%d %B %Y").date()
        assert item["response_received_date"] == day.isoformat()
