"""The spider's report texts: from the page, else from the report PDF fetched once per URL, within
an incremental run's PDF budget, and never at the cost of the report itself."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import MemoryStatsCollector
from twisted.python.failure import Failure

from scrapers.common.items import CrawlErrorItem
from scrapers.judiciary_pfd.items import ReportItem, ReportTextItem
from scrapers.judiciary_pfd.texts import load_text_state
from tests.scrapers.judiciary_pfd.support import (
    CANONICAL,
    FIXTURE_ORIGIN,
    FIXTURES,
    FROZEN_NOW_ISO,
    file_response,
    make_spider,
    report_url,
)
from tests.scrapers.judiciary_pfd.test_spider import split

KATIE = report_url("katie-madden", CANONICAL)
KATIE_PDF = (
    f"{CANONICAL}/wp-content/uploads/2024/06/"
    "Katie-Madden-Prevention-of-future-deaths-report-2024-0295_Published.pdf"
)
SAUNDERS_PDF = (FIXTURES / "report_dean_saunders.pdf").read_bytes()


class FakeCrawler:
    """Enough of a crawler for settings, stats and the engine the idle handler feeds."""

    def __init__(self, **settings):
        self.settings = Settings(settings)
        self.stats = MemoryStatsCollector(SimpleNamespace(settings=self.settings))
        self.engine = SimpleNamespace(crawled=[])
        self.engine.crawl = self.engine.crawled.append


def spider_with(tmp_path=None, *, known=(), missing=(), settings=None, **kwargs):
    if tmp_path is not None:
        state = tmp_path / "text_state.json"
        state.write_text(json.dumps({"known": list(known), "missing": list(missing)}))
        kwargs["text_state_file"] = str(state)
    spider = make_spider(**kwargs)
    spider.crawler = FakeCrawler(**(settings or {}))
    spider.settings = spider.crawler.settings
    return spider


def parse_page(spider, fixture="report_current.html", slug="katie-madden"):
    request = spider.report_request(report_url(slug, CANONICAL), 1)
    return split(spider.parse_report(file_response(fixture, request.url, request=request)))


def pdf_response(request, body=SAUNDERS_PDF, status=200):
    return Response(url=request.url, status=status, body=body, request=request)


def stat(spider, name):
    return spider.crawler.stats.get_value(name, 0)


def write_state(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"known_urls": [], "revisit": []}))
    return path


def test_inline_sections_give_a_page_text_and_no_pdf_request():
    spider = spider_with()
    requests, [report, text] = parse_page(spider, "snapshot_report_text_strong.html", "brian")
    assert requests == []
    assert isinstance(report, ReportItem) and isinstance(text, ReportTextItem)
    assert set(text.keys()) == set(ReportTextItem.fields)
    assert (text["url"], text["text_source"], text["document_url"]) == (
        report_url("brian", CANONICAL),
        "page",
        None,
    )
    assert (text["text_status"], text["sent_to_text"]) == ("sections", "Department for Transport")
    assert text["crawled_at"] == FROZEN_NOW_ISO
    assert stat(spider, "pfdw/report_texts/page/sections") == 1


def test_without_inline_text_the_report_pdf_is_read():
    spider = spider_with()
    [pdf_request], [report] = parse_page(spider)
    assert isinstance(report, ReportItem)
    assert pdf_request.url == KATIE_PDF.replace(CANONICAL, FIXTURE_ORIGIN)
    assert pdf_request.meta["stage"] == "report_pdf"
    assert pdf_request.meta["download_maxsize"] == 20_000_000

    [text] = list(spider.parse_report_pdf(pdf_response(pdf_request)))
    assert (text["url"], text["text_source"], text["document_url"]) == (KATIE, "pdf", KATIE_PDF)
    assert (text["text_status"], text["page_count"]) == ("sections", 3)
    assert text["sent_to_text"].startswith("Her Majesty’s Prison Service")
    assert stat(spider, "pfdw/report_pdf_requests") == 1
    assert stat(spider, "pfdw/report_texts/pdf/sections") == 1


def test_a_pdf_read_before_from_the_same_url_is_not_fetched_again(tmp_path):
    spider = spider_with(tmp_path, known=[{"url": KATIE, "document_url": KATIE_PDF}])
    requests, [report] = parse_page(spider)
    assert requests == [] and isinstance(report, ReportItem)
    assert stat(spider, "pfdw/report_pdfs_already_read") == 1
    assert stat(spider, "pfdw/report_pdf_requests") == 0


def test_a_pdf_url_that_changed_is_fetched_again(tmp_path):
    older = KATIE_PDF.replace("_Published.pdf", ".pdf")
    spider = spider_with(
        tmp_path,
        known=[{"url": KATIE, "document_url": older}],
        mode="incremental",
        state_file=str(write_state(tmp_path)),
    )
    [request], _ = parse_page(spider)
    assert request.meta["document_url"] == KATIE_PDF


def test_two_reports_linking_one_pdf_make_one_request_and_two_texts():
    spider = spider_with()
    [request], _ = parse_page(spider, slug="katie-madden")
    requests, _ = parse_page(spider, slug="katie-madden-again")
    assert requests == []
    texts = list(spider.parse_report_pdf(pdf_response(request)))
    assert [t["url"] for t in texts] == [KATIE, report_url("katie-madden-again", CANONICAL)]


def test_an_incremental_run_keeps_to_its_pdf_budget(tmp_path):
    spider = spider_with(
        tmp_path,
        mode="incremental",
        state_file=str(write_state(tmp_path)),
        settings={"PFDW_INCREMENTAL_PDF_BUDGET": 1},
    )
    first, _ = parse_page(spider, slug="one")
    second, [report] = parse_page(spider, "report_govuk_button_messy.html", slug="two")
    assert len(first) == 1 and second == []
    assert isinstance(report, ReportItem)  # the report itself is never held back
    assert stat(spider, "pfdw/report_pdfs_deferred") == 1
    # A full crawl has no PDF budget.
    full = spider_with(settings={"PFDW_INCREMENTAL_PDF_BUDGET": 1})
    assert full.pdf_budget() is None


def test_a_failed_pdf_fetch_is_an_error_naming_its_report():
    spider = spider_with()
    [request], [report] = parse_page(spider)
    request.meta["retry_times"] = 3
    failure = Failure(HttpError(pdf_response(request, b"", status=404), "Ignoring non-200"))
    failure.request = request
    [error] = list(spider.on_error(failure))
    assert isinstance(error, CrawlErrorItem)
    assert (error["url"], error["stage"], error["http_status"]) == (KATIE_PDF, "report_pdf", 404)
    assert error["reason"] == f"HTTP 404 after 4 attempts (report PDF of {KATIE})"
    assert report["url"] == KATIE
    assert spider.pdf_waiting == {}


def test_a_pdf_cut_short_is_asked_for_again_then_read_with_a_warning():
    spider = spider_with()
    [request], _ = parse_page(spider)
    cut = SAUNDERS_PDF[: len(SAUNDERS_PDF) - 200]
    attempts = 1
    while True:
        requests, items = split(spider.parse_report_pdf(pdf_response(request, cut)))
        if items:
            break
        [request] = requests
        assert request.dont_filter
        attempts += 1
    assert attempts == request.meta["max_retry_times"] + 1
    [text] = items
    assert text["parse_warnings"][0].startswith("the PDF has no %%EOF after")
    assert stat(spider, "pfdw/report_pdfs_truncated") == attempts


def test_unread_pdfs_of_the_text_state_are_fetched_when_the_crawl_is_idle(tmp_path):
    brian = report_url("brian", CANONICAL)
    brian_pdf = (
        f"{CANONICAL}/wp-content/uploads/2024/03/"
        "Brian-Chapman-Prevention-of-future-deaths-report-2024-0164_Published.pdf"
    )
    other = f"{CANONICAL}/prevention-of-future-death-reports/older/"
    other_pdf = f"{CANONICAL}/wp-content/uploads/2019/01/Older-2019-0001.pdf"
    spider = spider_with(
        tmp_path,
        missing=[
            {"url": brian, "document_url": brian_pdf},
            {"url": other, "document_url": other_pdf},
        ],
    )
    # Brian Chapman's page was read in this run and shows its text: its PDF is not needed.
    parse_page(spider, "snapshot_report_text_strong.html", "brian")
    with pytest.raises(DontCloseSpider):
        spider.on_idle()
    [backfill] = spider.crawler.engine.crawled
    assert backfill.meta["document_url"] == other_pdf
    assert backfill.priority == -10
    assert stat(spider, "pfdw/report_pdf_backfill_requests") == 1
    spider.on_idle()  # nothing left: the crawl may close


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "expected a JSON object"),
        ('{"known": [{"url": "x"}]}', "known must be a list of objects"),
        ("{", "is not valid JSON"),
    ],
)
def test_bad_text_state_files_are_rejected_clearly(tmp_path, content, message):
    path = tmp_path / "text_state.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_text_state(path)
    with pytest.raises(ValueError, match="does not exist"):
        load_text_state(tmp_path / "missing.json")
