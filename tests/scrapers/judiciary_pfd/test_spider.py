"""The judiciary_pfd spider's callbacks: which requests and items they yield, offline."""

from __future__ import annotations

import json
import re

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from scrapers.common.items import CrawlErrorItem, NotModifiedItem, SkippedPageItem
from scrapers.judiciary_pfd.items import ReportItem
from scrapers.judiciary_pfd.parsing import LEGACY_POST_REASON, content_hash
from tests.scrapers.judiciary_pfd.support import (
    CANONICAL,
    FIXTURE_ORIGIN,
    FROZEN_NOW_ISO,
    file_response,
    make_spider,
    report_url,
)

LISTING_1 = f"{FIXTURE_ORIGIN}/prevention-of-future-death-reports/"
PAGE_1_SLUGS = [f"report-{n:02d}-prevention-of-future-deaths-report" for n in range(1, 11)]


def canonical_report(slug: str) -> str:
    return report_url(slug, CANONICAL)


def split(results) -> tuple[list[Request], list]:
    results = list(results)
    return [r for r in results if isinstance(r, Request)], [
        r for r in results if not isinstance(r, Request)
    ]


def listing_response(spider, name="listing_page_1.html", page=1, page_count=None):
    request = spider.listing_request(page, page_count)
    return file_response(name, request.url, request=request)


def write_state(tmp_path, known=(), revisit=()):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"known_urls": list(known), "revisit": list(revisit)}))
    return str(path)


# --- full mode --------------------------------------------------------------------------------


def test_full_mode_starts_with_listing_page_one():
    [request] = list(make_spider().initial_requests())
    assert request.url == LISTING_1
    assert request.meta["stage"] == "listing"
    assert request.meta["listing_page"] == 1
    # Listing pages get more retries than report pages.
    assert (
        request.meta["max_retry_times"]
        > make_spider().report_request(canonical_report("x"), 1).meta["max_retry_times"]
    )


def test_full_mode_listing_page_one_yields_every_report_and_every_other_listing_page():
    spider = make_spider()
    requests, items = split(spider.parse_listing(listing_response(spider)))

    reports = [r for r in requests if r.meta["stage"] == "report"]
    listings = [r for r in requests if r.meta["stage"] == "listing"]
    assert items == []
    assert [r.url for r in reports] == [report_url(slug) for slug in PAGE_1_SLUGS]
    assert all(r.meta["listing_page"] == 1 for r in reports)
    assert [r.meta["listing_page"] for r in listings] == list(range(2, 616))
    assert listings[-1].url == f"{LISTING_1}page/615/"


def test_max_listing_pages_caps_the_walk():
    spider = make_spider(max_listing_pages="3")
    requests, _ = split(spider.parse_listing(listing_response(spider)))
    assert [r.url for r in requests if r.meta["stage"] == "listing"] == [
        f"{LISTING_1}page/2/",
        f"{LISTING_1}page/3/",
    ]


def test_later_listing_pages_do_not_schedule_listing_pages_again():
    spider = make_spider()
    response = listing_response(spider, "listing_page_615.html", page=615, page_count=615)
    requests, _ = split(spider.parse_listing(response))
    assert {r.meta["stage"] for r in requests} == {"report"}
    assert all(r.meta["listing_page"] == 615 for r in requests)


def test_a_report_listed_twice_is_requested_once():
    spider = make_spider()
    first, _ = split(spider.parse_listing(listing_response(spider)))
    again, _ = split(spider.parse_listing(listing_response(spider)))
    assert len([r for r in first if r.meta["stage"] == "report"]) == 10
    assert [r for r in again if r.meta["stage"] == "report"] == []


def test_listing_page_without_cards_is_a_crawl_error():
    spider = make_spider()
    requests, items = split(spider.parse_listing(listing_response(spider, "listing_no_cards.html")))
    assert requests == []
    [error] = items
    assert isinstance(error, CrawlErrorItem)
    assert error["stage"] == "listing"
    assert error["reason"] == "no report cards found on listing page: layout drift?"
    assert error["url"] == f"{CANONICAL}/prevention-of-future-death-reports/"
    assert error["crawled_at"] == FROZEN_NOW_ISO


# --- incremental mode --------------------------------------------------------------------------


def test_incremental_requests_only_unknown_reports_and_the_next_listing_page(tmp_path):
    known = [canonical_report(slug) for slug in PAGE_1_SLUGS[:7]]
    spider = make_spider(mode="incremental", state_file=write_state(tmp_path, known))
    requests, _ = split(spider.parse_listing(listing_response(spider)))

    assert [r.url for r in requests if r.meta["stage"] == "report"] == [
        report_url(slug) for slug in PAGE_1_SLUGS[7:]
    ]
    assert [r.url for r in requests if r.meta["stage"] == "listing"] == [f"{LISTING_1}page/2/"]


def test_incremental_stops_paging_on_a_page_of_known_reports(tmp_path):
    known = [canonical_report(slug) for slug in PAGE_1_SLUGS]
    spider = make_spider(mode="incremental", state_file=write_state(tmp_path, known))
    requests, items = split(spider.parse_listing(listing_response(spider)))
    assert requests == []
    assert items == []


def test_incremental_stops_at_the_last_page(tmp_path):
    spider = make_spider(mode="incremental", state_file=write_state(tmp_path))
    response = listing_response(spider, "listing_page_615.html", page=615, page_count=615)
    requests, _ = split(spider.parse_listing(response))
    assert {r.meta["stage"] for r in requests} == {"report"}


def test_revisits_carry_conditional_headers_and_are_not_requested_twice(tmp_path):
    revisit = [
        {
            "url": canonical_report(PAGE_1_SLUGS[0]),
            "etag": '"abc123"',
            "last_modified": "Mon, 03 Jun 2024 10:00:00 GMT",
        },
        {"url": canonical_report("older-report"), "etag": None, "last_modified": None},
    ]
    spider = make_spider(mode="incremental", state_file=write_state(tmp_path, [], revisit))
    listing, *revisits = list(spider.initial_requests())

    assert listing.url == LISTING_1
    assert [r.url for r in revisits] == [
        report_url(PAGE_1_SLUGS[0]),
        report_url("older-report"),
    ]
    first = revisits[0]
    assert first.headers[b"If-None-Match"] == b'"abc123"'
    assert first.headers[b"If-Modified-Since"] == b"Mon, 03 Jun 2024 10:00:00 GMT"
    assert first.meta["handle_httpstatus_list"] == [304]
    assert first.meta["listing_page"] is None
    assert b"If-None-Match" not in revisits[1].headers

    # The revisited report is on listing page 1 but is not fetched a second time.
    requests, _ = split(spider.parse_listing(listing_response(spider)))
    assert report_url(PAGE_1_SLUGS[0]) not in [r.url for r in requests]
    assert len([r for r in requests if r.meta["stage"] == "report"]) == 9


def test_a_lost_listing_page_is_read_from_its_search_mirror(tmp_path):
    spider = make_spider()
    request = spider.listing_request(4, page_count=615)
    failure = Failure(TwistedTimeoutError("took too long"))
    failure.request = request
    [mirror], [error] = split(spider.on_error(failure))

    assert error["url"] == f"{CANONICAL}/prevention-of-future-death-reports/page/4/"
    assert error["stage"] == "listing"
    assert mirror.url == f"{FIXTURE_ORIGIN}/page/4/?s=&post_type=pfd"
    assert (mirror.meta["stage"], mirror.meta["listing_page"]) == ("listing", 4)

    # The mirror's cards are followed like the listing page's, with the same page number.
    response = file_response("listing_page_615.html", mirror.url, request=mirror)
    requests, _ = split(spider.parse_listing(response))
    assert {(r.meta["stage"], r.meta["listing_page"]) for r in requests} == {("report", 4)}

    # A lost mirror is recorded too, and not mirrored again; the page is recorded as lost.
    failure = Failure(TwistedTimeoutError("took too long"))
    failure.request = mirror
    requests, [error, lost] = split(spider.on_error(failure))
    assert requests == []
    assert error["url"] == f"{CANONICAL}/page/4/?s=&post_type=pfd"
    assert (lost["stage"], lost["url"]) == (
        "listing_lost",
        f"{CANONICAL}/prevention-of-future-death-reports/page/4/",
    )
    assert lost["reason"].startswith("listing page 4 and its search mirror could not be read")
    assert spider.lost_listing_pages == [4]


def test_page_one_mirror_is_the_search_front_page_and_restores_the_walk():
    spider = make_spider(max_listing_pages=3)
    mirror = spider.listing_mirror_request(1, None)
    assert mirror.url == f"{FIXTURE_ORIGIN}/?s=&post_type=pfd"
    requests, _ = split(
        spider.parse_listing(file_response("listing_page_1.html", mirror.url, request=mirror))
    )
    assert [r.url for r in requests if r.meta["stage"] == "listing"] == [
        f"{LISTING_1}page/2/",
        f"{LISTING_1}page/3/",
    ]


def test_incremental_walk_goes_on_when_a_page_and_its_mirror_are_lost(tmp_path):
    spider = make_spider(mode="incremental", state_file=write_state(tmp_path))
    mirror = spider.listing_mirror_request(2, page_count=5)
    failure = Failure(TwistedTimeoutError("took too long"))
    failure.request = mirror
    requests, items = split(spider.on_error(failure))
    assert [r.url for r in requests] == [f"{LISTING_1}page/3/"]
    assert items[0]["stage"] == "listing"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "sometimes"}, "mode must be one of"),
        ({"mode": "incremental"}, "needs a state_file"),
        ({"state_file": "x.json"}, "only used with mode=incremental"),
        ({"base_url": "http://127.0.0.1:1/sub/"}, "base_url must be an origin"),
        ({"max_listing_pages": "0"}, "at least 1"),
        ({"max_listing_pages": "many"}, "whole number"),
    ],
)
def test_bad_arguments_are_rejected_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_spider(**kwargs)


def test_bad_state_files_are_rejected_clearly(tmp_path):
    missing = tmp_path / "missing.json"
    with pytest.raises(ValueError, match="does not exist"):
        make_spider(mode="incremental", state_file=str(missing))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"known_urls": [], "revisit": [{"etag": "x"}]}))
    with pytest.raises(ValueError, match=r"revisit\[0\] must be an object with a 'url'"):
        make_spider(mode="incremental", state_file=str(bad))


# --- report pages -----------------------------------------------------------------------------


def report_response(spider, name, slug="katie-madden", revisit=None, **kwargs):
    request = spider.report_request(canonical_report(slug), 4, revisit=revisit)
    return file_response(name, request.url, request=request, **kwargs)


UPLOADS = f"{CANONICAL}/wp-content/uploads"
# What report_current.html displays, with every URL moved onto the canonical origin.
KATIE_MADDEN = {
    "url": f"{CANONICAL}/prevention-of-future-death-reports/katie-madden/",
    "page_title": "Katie Madden: Prevention of future deaths report",
    "date_added_raw": "2024-06-03",
    "date_added_text": "3 June 2024",
    "header": {
        "date_of_report": "30/05/2024",
        "ref": "2024-0295",
        "deceased_name": "Katie Madden",
        "coroner_name": "Nigel Parsley",
        "coroner_area": "Suffolk",
        "category": "Suicide (from 2015)",
        "sent_to": "Department of Health and Social Care"
        " | Norfolk and Suffolk NHS Foundation Trust",
    },
    "header_labels": {
        "date_of_report": "Date of report",
        "ref": "Ref",
        "deceased_name": "Deceased name",
        "coroner_name": "Coroner name",
        "coroner_area": "Coroner Area",
        "category": "Category",
        "sent_to": "This report is being sent to",
    },
    "category_pills": [
        {
            "text": "Suicide (from 2015)",
            "href": f"{CANONICAL}/pfd-types/suicide-from-2015/",
            "slug": "suicide-from-2015",
        },
        {
            "text": "Prevention of Future Deaths",
            "href": f"{CANONICAL}/pfd-types/prevention-of-future-deaths/",
            "slug": "prevention-of-future-deaths",
        },
    ],
    "report_sections": [],
    # The report PDF is linked twice (file button and related list): kept once, as the button.
    "documents": [
        {
            "url": f"{UPLOADS}/2024/06/"
            "Katie-Madden-Prevention-of-future-deaths-report-2024-0295_Published.pdf",
            "link_text": "Download",
            "file_name": "Katie-Madden-Prevention-of-future-deaths-report-2024-0295_Published.pdf",
            "upload_year": 2024,
            "upload_month": 6,
            "kind": "report",
            "position": 1,
            "source": "file_button",
        },
        {
            "url": f"{UPLOADS}/2024/08/2024-0295-Response-from-Suffolk-County-Council.pdf",
            "link_text": "2024 0295 Response from Suffolk County Council",
            "file_name": "2024-0295-Response-from-Suffolk-County-Council.pdf",
            "upload_year": 2024,
            "upload_month": 8,
            "kind": "response",
            "position": 2,
            "source": "related",
        },
        {
            "url": f"{CANONICAL}/prevention-of-future-death-reports/"
            "another-report-prevention-of-future-deaths-report/",
            "link_text": "Another report",
            "file_name": "another-report-prevention-of-future-deaths-report",
            "upload_year": None,
            "upload_month": None,
            "kind": "other",
            "position": 3,
            "source": "related",
        },
    ],
    "parse_warnings": [],
    "crawled_at": FROZEN_NOW_ISO,
    "listing_page": 4,
}


def assert_katie_madden_report(item) -> None:
    """The item holds exactly what report_current.html displays, and a hash of that content."""
    assert isinstance(item, ReportItem)
    assert set(item.keys()) == set(ReportItem.fields)
    fields = dict(item)
    assert re.fullmatch(r"[0-9a-f]{64}", fields["content_hash"])
    # The hash covers the parsed content only (not the crawl time or the HTTP validators).
    assert fields["content_hash"] == content_hash(fields)
    assert {key: fields[key] for key in KATIE_MADDEN} == KATIE_MADDEN


def test_report_page_yields_a_report_item_with_canonical_urls_and_http_validators():
    spider = make_spider()
    headers = {"ETag": '"v1"', "Last-Modified": "Mon, 03 Jun 2024 10:00:00 GMT"}
    [pdf], [item] = split(
        spider.parse_report(report_response(spider, "report_current.html", headers=headers))
    )

    # The page shows no report text, so its report PDF is asked for (after the pages).
    assert pdf.url.endswith(
        "/2024/06/Katie-Madden-Prevention-of-future-deaths-report-2024-0295_Published.pdf"
    )
    assert (pdf.meta["stage"], pdf.priority) == ("report_pdf", -10)
    assert_katie_madden_report(item)
    assert item["url"] == canonical_report("katie-madden")
    assert item["http_etag"] == '"v1"'
    assert item["http_last_modified"] == "Mon, 03 Jun 2024 10:00:00 GMT"


def test_not_modified_revisit_yields_not_modified_item():
    spider = make_spider()
    revisit = {"url": canonical_report("katie-madden"), "etag": '"v1"', "last_modified": None}
    response = report_response(spider, "", revisit=revisit, status=304)
    [item] = list(spider.parse_report(response))
    assert isinstance(item, NotModifiedItem)
    assert dict(item) == {
        "url": canonical_report("katie-madden"),
        "crawled_at": FROZEN_NOW_ISO,
        "http_etag": '"v1"',
        "http_last_modified": None,
    }


def test_legacy_category_post_is_skipped_with_its_reason():
    spider = make_spider()
    [item] = list(
        spider.parse_report(
            report_response(spider, "report_legacy_post.html", "railwayrelateddeaths")
        )
    )
    assert isinstance(item, SkippedPageItem)
    assert item["reason"] == LEGACY_POST_REASON
    assert item["url"] == canonical_report("railwayrelateddeaths")


def test_truncated_page_is_requested_again_then_recorded_as_an_error():
    spider = make_spider()
    response = report_response(spider, "report_truncated.html")
    limit = response.meta["max_retry_times"]
    attempts = 1
    while True:
        requests, items = split(spider.parse_report(response))
        if items:
            break
        [again] = requests
        assert again.dont_filter is True
        assert again.url == response.url
        attempts += 1
        response = file_response("report_truncated.html", again.url, request=again)
    [error] = items
    assert attempts == limit + 1
    assert isinstance(error, CrawlErrorItem)
    assert error["reason"] == f"truncated page after {limit + 1} attempts"
    assert (error["stage"], error["attempts"]) == ("report", limit + 1)


def test_a_complete_page_after_a_truncated_one_is_parsed():
    spider = make_spider()
    [again] = list(spider.parse_report(report_response(spider, "report_truncated.html")))
    _, [item] = split(
        spider.parse_report(file_response("report_current.html", again.url, request=again))
    )
    # The retry parses like a first fetch: same fields, same content hash, no warnings left
    # over from the truncated attempt.
    assert_katie_madden_report(item)
    assert (item["http_etag"], item["http_last_modified"]) == (None, None)
    fresh = make_spider()
    _, [first] = split(fresh.parse_report(report_response(fresh, "report_current.html")))
    assert item["content_hash"] == first["content_hash"]


# --- errback ----------------------------------------------------------------------------------


def test_http_error_after_retries_becomes_a_crawl_error_item():
    spider = make_spider()
    request = spider.report_request(canonical_report("broken"), 2)
    request.meta["retry_times"] = 3
    response = file_response("<html></html>", request.url, status=503, request=request)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request

    [error] = list(spider.on_error(failure))
    assert dict(error) == {
        "url": canonical_report("broken"),
        "stage": "report",
        "reason": "HTTP 503 after 4 attempts",
        "http_status": 503,
        "attempts": 4,
        "crawled_at": FROZEN_NOW_ISO,
    }


def test_timeouts_and_ignored_requests_are_recorded_with_their_cause():
    spider = make_spider()
    request = spider.listing_request(1)
    timeout = Failure(TwistedTimeoutError("Getting it took longer than 2 seconds."))
    timeout.request = request
    _, [error] = split(spider.on_error(timeout))
    assert error["stage"] == "listing"
    assert error["http_status"] is None
    assert error["reason"].startswith("TimeoutError: ")
    assert error["reason"].endswith("after 1 attempts")

    ignored = Failure(IgnoreRequest("Forbidden by robots.txt"))
    ignored.request = spider.report_request(canonical_report("private"), 1)
    [error] = list(spider.on_error(ignored))
    assert error["reason"] == "request ignored: Forbidden by robots.txt"
