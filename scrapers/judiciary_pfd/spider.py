"""judiciary_pfd: Prevention of Future Deaths reports from judiciary.uk (or its offline snapshot).

Full mode reads every listing page and every report. Incremental mode reads listing pages from
the newest until a page holds only known reports, and revisits the reports named in the state
file with conditional requests (304 -> NotModifiedItem). Callbacks only yield requests and
items; the pipelines write them to the run folder.

The report's own text (ReportTextItem) comes from the page when the page shows it, else from the
report PDF. A PDF is read once: the text state file (both modes) names the PDF each known text
was read from, and a report whose PDF URL is unchanged is not fetched again; it also lists
reports whose PDF was never read (a failed fetch, a run over its PDF budget), which are fetched
when the crawl has nothing else to do. An incremental run fetches at most
``PFDW_INCREMENTAL_PDF_BUDGET`` PDFs; the rest wait for the next run.

Completeness: every report listed anywhere is loaded or recorded as an error. A listing page
lost for good (the page and its search mirror both fail after retries) is recorded as a
``listing_lost`` crawl error naming the page (the raw crawl suite blocks the run on it), and the
reports earlier crawls found on it or next to it (the text state's ``listed``) are fetched
directly when the crawl is otherwise done. Pages robots.txt forbids are crawl errors too.

Incremental runs also re-fetch the state's ``retry`` pages (reports a past run could not load)
and its ``canary``: a few known report pages, a different sample each day, fetched without
conditional headers. When half or more of the canary pages that answered parse to nothing (no
header field where the last crawl found some), the crawl closes with a ``layout drift`` reason
naming them, and the run is not loadable.

Arguments (``scrapy crawl judiciary_pfd -a name=value``): base_url, mode (full|incremental),
state_file (incremental only), text_state_file, max_listing_pages, listing_path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from scrapers.common.items import CrawlErrorItem, NotModifiedItem, SkippedPageItem
from scrapers.common.progress import STAT_LISTING_PAGES_EXPECTED
from scrapers.common.spider import (
    describe_failure,
    positive_int_or_none,
    read_json_object,
    response_header,
)
from scrapers.common.stats import (
    STAT_LISTING_PAGE_1_CARDS,
    STAT_LISTING_PAGES,
    STAT_REPORT_PAGES,
    STAT_REPORT_PAGES_EMPTY,
)
from scrapers.judiciary_pfd import parsing
from scrapers.judiciary_pfd import selectors as sel
from scrapers.judiciary_pfd.items import ReportItem, ReportTextItem
from scrapers.judiciary_pfd.texts import STAGE_REPORT_PDF, ReportTextsMixin

MODES = ("full", "incremental")
STAGE_LISTING = "listing"
STAGE_REPORT = "report"
# A listing page lost for good: the page and its search mirror both failed (or it showed no
# report cards). The reports listed only there are unknown; the raw crawl suite blocks on it.
STAGE_LISTING_LOST = "listing_lost"
# A canary page (a known report re-fetched by a daily run) that failed or parsed to nothing.
STAGE_CANARY = "canary"

# Stats keys of this spider (the run-validation ones are in scrapers.common.stats).
STAT_NOT_MODIFIED = "pfdw/report_pages_not_modified"
STAT_TRUNCATED = "pfdw/truncated_responses"
STAT_LISTING_MIRRORS = "pfdw/listing_mirror_requests"
STAT_ERRORS_PREFIX = "pfdw/errors/"
STAT_REPORTS_LISTED = "pfdw/reports_listed"  # distinct pages seen on listing cards
STAT_LISTING_PAGES_LOST = "pfdw/listing_pages_lost"  # listing page numbers lost for good
STAT_HIDDEN_REQUESTS = "pfdw/hidden_report_requests"  # fetched directly: their page was lost
STAT_RETRY_REQUESTS = "pfdw/retry_requests"  # pages a past run could not load
STAT_CANARY_PAGES = "pfdw/canary_pages"
STAT_CANARY_BLANK = "pfdw/canary_pages_parsed_to_nothing"

DEFAULT_LISTING_RETRY_TIMES = 8
DEFAULT_REPORT_RETRY_TIMES = 3


def utc_now() -> datetime:
    return datetime.now(UTC)


def load_state(path: str | Path) -> tuple[set[str], list[dict]]:
    """Read an incremental state file: ``(known canonical URLs, revisit entries)``."""
    state_path = Path(path)
    state = read_json_object(state_path, "state_file")
    known_urls = state.get("known_urls", [])
    revisit = state.get("revisit", [])
    if not isinstance(known_urls, list) or not all(isinstance(url, str) for url in known_urls):
        raise ValueError(f"state_file {state_path}: known_urls must be a list of URL strings")
    if not isinstance(revisit, list):
        raise ValueError(f"state_file {state_path}: revisit must be a list of objects")
    entries = []
    for index, entry in enumerate(revisit):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise ValueError(
                f"state_file {state_path}: revisit[{index}] must be an object with a 'url' string"
            )
        entries.append(
            {
                "url": entry["url"],
                "etag": entry.get("etag"),
                "last_modified": entry.get("last_modified"),
            }
        )
    return set(known_urls), entries


def load_rechecks(path: str | Path) -> tuple[list[str], list[str]]:
    """An incremental state file's optional ``retry`` (pages a past run could not load) and
    ``canary`` (known report pages re-fetched to prove the parser still reads the site)."""
    state = read_json_object(path, "state_file")
    lists = []
    for name in ("retry", "canary"):
        urls = state.get(name, [])
        if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
            raise ValueError(f"state_file {path}: {name} must be a list of URL strings")
        lists.append(urls)
    return lists[0], lists[1]


def load_previous_listing(path: str | Path) -> dict[int, list[str]]:
    """The text state's optional ``listed`` (objects with "url" and "listing_page": where the
    warehouse last saw each report listed), as {listing page: [report URLs]}."""
    state = read_json_object(path, "text_state_file")
    listed = state.get("listed", [])
    if not isinstance(listed, list) or not all(
        isinstance(entry, dict)
        and isinstance(entry.get("url"), str)
        and isinstance(entry.get("listing_page"), int)
        for entry in listed
    ):
        raise ValueError(
            f"text_state_file {path}: listed must be a list of objects with a 'url' string and "
            "a 'listing_page' number"
        )
    pages: dict[int, list[str]] = {}
    for entry in listed:
        pages.setdefault(entry["listing_page"], []).append(entry["url"])
    return pages


class JudiciaryPfdSpider(ReportTextsMixin, scrapy.Spider):
    name = "judiciary_pfd"
    # reports.jsonl and report_texts.jsonl exist (maybe empty) in every run folder
    run_item_types = (ReportItem, ReportTextItem)

    def __init__(
        self,
        base_url: str = sel.CANONICAL_ORIGIN,
        mode: str = "full",
        state_file: str | None = None,
        text_state_file: str | None = None,
        max_listing_pages: str | int | None = None,
        listing_path: str = sel.DEFAULT_LISTING_PATH,
        clock: Callable[[], datetime] = utc_now,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if urlsplit(base_url).path not in ("", "/") or urlsplit(base_url).query:
            raise ValueError(
                f"base_url must be an origin like https://host[:port], got {base_url!r}"
            )
        self.crawl_origin = parsing.origin_of(base_url)
        self.mode = mode
        self.listing_path = "/" + listing_path.strip("/") + "/"
        self.max_listing_pages = positive_int_or_none(max_listing_pages, "max_listing_pages")
        self.clock = clock
        self.known_urls: set[str] = set()
        self.revisit: list[dict] = []
        self.retry: list[str] = []
        self.canary: list[str] = []
        if mode == "incremental":
            if not state_file:
                raise ValueError("mode=incremental needs a state_file")
            self.known_urls, self.revisit = load_state(state_file)
            self.retry, self.canary = load_rechecks(state_file)
        elif state_file:
            raise ValueError("state_file is only used with mode=incremental")
        # Canonical report URLs already requested in this run: a page is fetched once.
        self.requested_reports: set[str] = set()
        self.requested_listing_pages: set[int] = set()
        # Completeness: every report seen on a listing card, and the listing pages lost.
        self.listed_urls: set[str] = set()
        self.lost_listing_pages: list[int] = []
        self.previous_listing = load_previous_listing(text_state_file) if text_state_file else {}
        self.hidden_reports_requested = False
        # Canary: pages answered (URL -> parsed to nothing?), and failures.
        self.canary_results: dict[str, bool] = {}
        self.canary_requested = 0
        self.init_texts(text_state_file)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> JudiciaryPfdSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle, weak=False)
        return spider

    # --- helpers -------------------------------------------------------------------------------

    def _setting_int(self, name: str, default: int) -> int:
        settings = getattr(self, "settings", None)
        return settings.getint(name, default) if settings is not None else default

    def _inc_stat(self, key: str, count: int = 1) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(key, count)

    def _set_stat(self, key: str, value: Any) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.set_value(key, value)

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")

    def _retry_times(self, stage: str) -> int:
        if stage == STAGE_LISTING:
            return self._setting_int("PFDW_LISTING_RETRY_TIMES", DEFAULT_LISTING_RETRY_TIMES)
        return self._setting_int("PFDW_REPORT_RETRY_TIMES", DEFAULT_REPORT_RETRY_TIMES)

    def canonical(self, url: str) -> str:
        return parsing.canonicalize_url(url, self.crawl_origin)

    def listing_url(self, page_number: int) -> str:
        path = self.listing_path if page_number == 1 else f"{self.listing_path}page/{page_number}/"
        return self.crawl_origin + path

    def last_listing_page(self, page_count: int) -> int:
        if self.max_listing_pages is None:
            return page_count
        return min(page_count, self.max_listing_pages)

    def listing_request(self, page_number: int, page_count: int | None = None) -> scrapy.Request:
        self.requested_listing_pages.add(page_number)
        return scrapy.Request(
            self.listing_url(page_number),
            callback=self.parse_listing,
            errback=self.on_error,
            meta={
                "stage": STAGE_LISTING,
                "listing_page": page_number,
                "page_count": page_count,
                "max_retry_times": self._retry_times(STAGE_LISTING),
            },
            # Listing pages first: each one leads to ten reports.
            priority=10,
        )

    def listing_mirror_request(self, page_number: int, page_count: int | None) -> scrapy.Request:
        """The search-results copy of a listing page, asked for when the page itself is lost."""
        if page_number == 1:
            path = sel.LISTING_MIRROR_PAGE_1
        else:
            path = sel.LISTING_MIRROR_PAGE_N.format(page=page_number)
        return scrapy.Request(
            self.crawl_origin + path,
            callback=self.parse_listing,
            errback=self.on_error,
            meta={
                "stage": STAGE_LISTING,
                "listing_page": page_number,
                "page_count": page_count,
                "max_retry_times": self._retry_times(STAGE_LISTING),
                "mirror_of": self.listing_url(page_number),
            },
            priority=10,
        )

    def report_request(
        self,
        canonical_url: str,
        listing_page: int | None,
        revisit: dict | None = None,
        stage: str = STAGE_REPORT,
        priority: int = 0,
    ) -> scrapy.Request | None:
        if canonical_url in self.requested_reports:
            return None
        self.requested_reports.add(canonical_url)
        meta: dict[str, Any] = {
            "stage": stage,
            "listing_page": listing_page,
            "max_retry_times": self._retry_times(STAGE_REPORT),
        }
        headers = {}
        if revisit is not None:
            meta["handle_httpstatus_list"] = [304]
            meta["revisit"] = revisit
            if revisit.get("etag"):
                headers["If-None-Match"] = revisit["etag"]
            if revisit.get("last_modified"):
                headers["If-Modified-Since"] = revisit["last_modified"]
        return scrapy.Request(
            parsing.to_crawl_url(canonical_url, self.crawl_origin),
            callback=self.parse_report,
            errback=self.on_error,
            headers=headers,
            meta=meta,
            priority=priority,
        )

    # --- start -------------------------------------------------------------------------------

    def initial_requests(self) -> Iterator[scrapy.Request]:
        yield self.listing_request(1)
        # The canary first (it decides whether the run is worth finishing), unconditionally:
        # a 304 would prove nothing about the parser.
        for url in self.canary:
            request = self.report_request(url, None, stage=STAGE_CANARY, priority=20)
            if request is not None:
                self.canary_requested += 1
                self._inc_stat(STAT_CANARY_PAGES)
                yield request
        for url in self.retry:
            request = self.report_request(url, None)
            if request is not None:
                self._inc_stat(STAT_RETRY_REQUESTS)
                yield request
        for entry in self.revisit:
            request = self.report_request(entry["url"], None, revisit=entry)
            if request is not None:
                yield request

    async def start(self) -> AsyncIterator[Any]:
        for request in self.initial_requests():
            yield request

    # --- truncation -------------------------------------------------------------------------

    def _handle_truncated(self, response: Response) -> Iterable[Any]:
        """Re-request a truncated page up to the stage's retry limit, then record an error."""
        self._inc_stat(STAT_TRUNCATED)
        stage = response.meta.get("stage", STAGE_REPORT)
        attempts = response.meta.get("truncated_attempts", 1)
        if attempts <= response.meta.get("max_retry_times", self._retry_times(stage)):
            meta = dict(response.meta)
            meta["truncated_attempts"] = attempts + 1
            yield response.request.replace(dont_filter=True, meta=meta)
            return
        reason = f"truncated page after {attempts} attempts"
        yield self._error_item(response.url, stage, reason, response.status, attempts)
        if stage == STAGE_LISTING:
            yield from self._after_listing_failure(response.meta, reason)
        elif stage == STAGE_CANARY:
            self._canary_answered(response.url, blank=False)

    def _error_item(
        self, url: str, stage: str, reason: str, status: int | None, attempts: int
    ) -> CrawlErrorItem:
        self._inc_stat(f"{STAT_ERRORS_PREFIX}{stage}")
        return CrawlErrorItem(
            url=self.canonical(url),
            stage=stage,
            reason=reason,
            http_status=status,
            attempts=attempts,
            crawled_at=self._now(),
        )

    # --- listing -----------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterable[Any]:
        if not parsing.is_complete_page(response.text, response.selector):
            yield from self._handle_truncated(response)
            return
        page_number = response.meta.get("listing_page", 1)
        listing = parsing.parse_listing_page(response.selector, response.url, self.crawl_origin)
        self._inc_stat(STAT_LISTING_PAGES)
        cards = listing["cards"]
        if page_number == 1:
            self._set_stat(STAT_LISTING_PAGE_1_CARDS, len(cards))
        if not cards:
            reason = "no report cards found on listing page: layout drift?"
            yield self._error_item(
                response.url,
                STAGE_LISTING,
                reason,
                response.status,
                response.meta.get("retry_times", 0) + 1,
            )
            if page_number > 1:  # page 1 without cards fails the whole run (scrapers.crawl)
                yield self._listing_lost(page_number, reason)
            return
        self.listed_urls.update(card["canonical_url"] for card in cards)
        self._set_stat(STAT_REPORTS_LISTED, len(self.listed_urls))
        page_count = listing["page_count"]
        last_page = self.last_listing_page(page_count)
        if self.mode == "full" and page_number == 1:
            # How many listing pages this run reads: the progress line's time left uses it.
            self._set_stat(STAT_LISTING_PAGES_EXPECTED, last_page)
        unknown_cards = [
            card
            for card in cards
            if card["canonical_url"] not in self.known_urls
            and card["canonical_url"] not in self.requested_reports
        ]
        report_cards = cards if self.mode == "full" else unknown_cards
        for card in report_cards:
            request = self.report_request(card["canonical_url"], page_number)
            if request is not None:
                yield request
        if self.mode == "full":
            if page_number == 1:
                for next_page in range(2, last_page + 1):
                    yield self.listing_request(next_page, page_count)
        elif unknown_cards and page_number < last_page:
            # Newest first: a page holding only known reports means the rest are known too.
            yield self.listing_request(page_number + 1, page_count)

    def _after_listing_failure(self, meta: dict, reason: str) -> Iterable[Any]:
        """A listing page failed after retries: try its search mirror, else record it as lost
        and keep walking.

        A lost listing page hides up to ten reports, so its search-results copy is requested
        once (only for the main PFD listing, whose mirror is known). When the mirror is lost
        too, a ``listing_lost`` error names the page, and incremental mode moves on to the next
        page if more pages exist.
        """
        page_number = meta.get("listing_page", 1)
        page_count = meta.get("page_count")
        if not meta.get("mirror_of") and self.listing_path == sel.DEFAULT_LISTING_PATH:
            self._inc_stat(STAT_LISTING_MIRRORS)
            yield self.listing_mirror_request(page_number, page_count)
            return
        yield self._listing_lost(page_number, reason)
        if self.mode != "incremental" or page_count is None:
            return
        next_page = page_number + 1
        if next_page <= self.last_listing_page(page_count) and (
            next_page not in self.requested_listing_pages
        ):
            yield self.listing_request(next_page, page_count)

    def _listing_lost(self, page_number: int, reason: str) -> CrawlErrorItem:
        if page_number not in self.lost_listing_pages:
            self.lost_listing_pages.append(page_number)
            self._set_stat(STAT_LISTING_PAGES_LOST, sorted(self.lost_listing_pages))
        mirror = " and its search mirror" if self.listing_path == sel.DEFAULT_LISTING_PATH else ""
        return self._error_item(
            self.listing_url(page_number),
            STAGE_LISTING_LOST,
            f"listing page {page_number}{mirror} could not be read ({reason}): the reports listed"
            " only there are unknown; those earlier crawls found on it are fetched directly",
            None,
            1,
        )

    def hidden_report_requests(self) -> list[scrapy.Request]:
        """Reports earlier crawls found on (or next to: pages shift as reports are added) a
        lost listing page, not seen on any listing card this time: fetched directly, once."""
        if self.hidden_reports_requested or not self.lost_listing_pages:
            return []
        self.hidden_reports_requested = True
        requests = []
        for lost in sorted(self.lost_listing_pages):
            for page in (lost - 1, lost, lost + 1):
                for url in self.previous_listing.get(page, []):
                    if url in self.listed_urls:
                        continue
                    request = self.report_request(url, None)
                    if request is not None:
                        self._inc_stat(STAT_HIDDEN_REQUESTS)
                        requests.append(request)
        return requests

    def on_idle(self) -> None:
        """Nothing else to fetch: the reports of lost listing pages, then unread PDFs."""
        requests = self.hidden_report_requests()
        if requests:
            for request in requests:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider
        super().on_idle()

    # --- canary ------------------------------------------------------------------------------

    def _canary_answered(self, url: str, blank: bool) -> None:
        """Record one canary answer; when all are in and half or more of those that answered
        parsed to nothing, close the crawl as layout drift, naming the pages."""
        self.canary_results[self.canonical(url)] = blank
        if len(self.canary_results) < self.canary_requested:
            return
        blank_pages = sorted(u for u, is_blank in self.canary_results.items() if is_blank)
        if blank_pages and 2 * len(blank_pages) >= len(self.canary_results):
            raise CloseSpider(
                f"layout drift: {len(blank_pages)} of {len(self.canary_results)} canary report"
                " pages (known pages that parsed before) parsed to nothing: "
                f"{', '.join(blank_pages)}; selectors in scrapers/judiciary_pfd/selectors.py"
                " no longer match the site"
            )

    # --- reports -----------------------------------------------------------------------------

    def parse_report(self, response: Response) -> Iterable[Any]:
        crawled_at = self._now()
        if response.status == 304:
            self._inc_stat(STAT_NOT_MODIFIED)
            revisit = response.meta.get("revisit") or {}
            yield NotModifiedItem(
                url=self.canonical(response.url),
                crawled_at=crawled_at,
                http_etag=response_header(response, "ETag") or revisit.get("etag"),
                http_last_modified=response_header(response, "Last-Modified")
                or revisit.get("last_modified"),
            )
            return
        if not parsing.is_complete_page(response.text, response.selector):
            yield from self._handle_truncated(response)
            return
        self._inc_stat(STAT_REPORT_PAGES)
        parsed = parsing.parse_report_page(response.selector, response.url, self.crawl_origin)
        if response.meta.get("stage") == STAGE_CANARY and not parsed["header_labels"]:
            # A known report that parsed before: nothing now is drift, not a legacy post.
            self._inc_stat(STAT_REPORT_PAGES_EMPTY)
            self._inc_stat(STAT_CANARY_BLANK)
            yield self._error_item(
                response.url,
                STAGE_CANARY,
                "canary page parsed to nothing (no header field: ref, dates, deceased, coroner"
                " area, recipients) where the last crawl read them: layout drift?",
                response.status,
                1,
            )
            self._canary_answered(response.url, blank=True)
            return
        if response.meta.get("stage") == STAGE_CANARY:
            self._canary_answered(response.url, blank=False)
        if parsed["is_empty"]:
            self._inc_stat(STAT_REPORT_PAGES_EMPTY)
            yield SkippedPageItem(
                url=parsed["url"], reason=parsing.LEGACY_POST_REASON, crawled_at=crawled_at
            )
            return
        yield ReportItem(
            url=parsed["url"],
            page_title=parsed["page_title"],
            date_added_raw=parsed["date_added_raw"],
            date_added_text=parsed["date_added_text"],
            header=parsed["header"],
            header_labels=parsed["header_labels"],
            category_pills=parsed["category_pills"],
            report_sections=parsed["report_sections"],
            documents=parsed["documents"],
            content_hash=parsed["content_hash"],
            crawled_at=crawled_at,
            http_etag=response_header(response, "ETag"),
            http_last_modified=response_header(response, "Last-Modified"),
            parse_warnings=parsed["parse_warnings"],
            listing_page=response.meta.get("listing_page"),
            capture_kind=parsed["capture_kind"],
            captured_on=parsed["captured_on"],
        )
        yield from self.report_text(parsed, crawled_at)

    # --- failures ----------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterable[Any]:
        """Fetch failed after Scrapy's retries: record it, never drop it silently."""
        request = failure.request
        stage = request.meta.get("stage", STAGE_REPORT)
        what = describe_failure(failure)
        self.logger.warning("giving up on %s (%s): %s", request.url, stage, what.reason)
        reason = what.reason
        if stage == STAGE_REPORT_PDF:
            reason = self.pdf_failure_reason(request.meta, reason)
        yield self._error_item(request.url, stage, reason, what.status, what.attempts)
        if stage == STAGE_LISTING:
            yield from self._after_listing_failure(request.meta, reason)
        elif stage == STAGE_CANARY:
            self._canary_answered(request.url, blank=False)
