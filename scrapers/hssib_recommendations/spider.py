"""hssib_recommendations: HSSIB/HSIB safety recommendations from hssib.org.uk (or its snapshot).

Route 1: the safety recommendations log listing (every page, following ``rel=next``) -> each
log item page -> one HssibRecommendationItem. Route 2: each investigation page linked from the
listing -> its recommendation blocks -> their log item pages (Scrapy's duplicate filter drops
those already requested), or, for a block with no log item link, an item built from the block.
Both routes carry the investigation's title and URL to the log page, which is where pages
without a header block get them from. Callbacks only yield requests and items.

Arguments (``scrapy crawl hssib_recommendations -a name=value``): base_url (an origin, default
https://www.hssib.org.uk), mode (only "full": the log is read whole every run), max_listing_pages.
A page cut off in transit (no footer) is fetched again up to PFDW_LISTING_RETRY_TIMES /
PFDW_REPORT_RETRY_TIMES times, then recorded as a CrawlErrorItem; so are fetch failures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from scrapers.common import stats as shared_stats
from scrapers.common.items import CrawlErrorItem
from scrapers.common.spider import describe_failure, positive_int_or_none, response_header
from scrapers.hssib_recommendations import parsing
from scrapers.hssib_recommendations import selectors as sel
from scrapers.hssib_recommendations.items import HssibRecommendationItem

# The crawl runner's run validation (scrapers.crawl.validate_run) reads these stats and the
# "listing" stage of error items; setting them lets it judge an HSSIB run as it judges a
# judiciary one (listing page 1 fetched and not empty, item pages not parsed to nothing).
SHARED_STAT_LISTING_PAGES = shared_stats.STAT_LISTING_PAGES
STAT_LISTING_PAGE_1_CARDS = shared_stats.STAT_LISTING_PAGE_1_CARDS
STAT_REPORT_PAGES = shared_stats.STAT_REPORT_PAGES
STAT_REPORT_PAGES_EMPTY = shared_stats.STAT_REPORT_PAGES_EMPTY

STAGE_LISTING = "listing"
STAGE_RECOMMENDATION = "recommendation"
STAGE_INVESTIGATION = "investigation"
MODES = ("full",)
# A page cut off in transit is fetched again this many times before it becomes an error item.
DEFAULT_TRUNCATED_RETRIES = {STAGE_LISTING: 8, STAGE_RECOMMENDATION: 3, STAGE_INVESTIGATION: 3}

STAT_LISTING_PAGES = "pfdw/hssib/listing_pages"
STAT_LISTING_ENTRIES = "pfdw/hssib/listing_entries"
STAT_RECOMMENDATION_PAGES = "pfdw/hssib/recommendation_pages"
STAT_INVESTIGATION_PAGES = "pfdw/hssib/investigation_pages"
STAT_ITEMS_FROM_INVESTIGATIONS = "pfdw/hssib/items_from_investigation_pages"
STAT_TRUNCATED_RESPONSES = "pfdw/hssib/truncated_responses"
STAT_ERRORS_PREFIX = "pfdw/hssib/errors/"


def utc_now() -> datetime:
    return datetime.now(UTC)


class HssibRecommendationsSpider(scrapy.Spider):
    name = "hssib_recommendations"

    def __init__(
        self,
        base_url: str = sel.CANONICAL_ORIGIN,
        mode: str = "full",
        max_listing_pages: str | int | None = None,
        clock: Callable[[], datetime] = utc_now,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(
                f"mode must be one of {MODES}, got {mode!r}: the log is small enough to read "
                "whole on every run"
            )
        self.mode = mode
        parts = urlsplit(base_url)
        if parts.path not in ("", "/") or parts.query or not parts.scheme or not parts.netloc:
            raise ValueError(
                f"base_url must be an origin like https://host[:port], got {base_url!r}"
            )
        self.crawl_origin = parsing.origin_of(base_url)
        self.max_listing_pages = positive_int_or_none(max_listing_pages, "max_listing_pages")
        self.clock = clock
        # Investigation pages are requested only once the listing is walked (or lost), so the
        # duplicate filter keeps the listing's request for every log item the listing shows and
        # the second route adds only what the listing missed.
        self.pending_investigations: dict[str, None] = {}

    # --- helpers -----------------------------------------------------------------------------

    def _set_stat(self, key: str, value: Any) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            crawler.stats.set_value(key, value)

    def _now(self) -> str:
        return self.clock().isoformat()

    def _inc_stat(self, key: str, count: int = 1) -> None:
        crawler = getattr(self, "crawler", None)  # absent when a test calls a callback
        if crawler is not None:
            crawler.stats.inc_value(key, count)

    def _on_crawl_origin(self, url: str) -> bool:
        try:
            return parsing.origin_of(url) == self.crawl_origin
        except ValueError:
            return False

    def canonical(self, url: str) -> str:
        return parsing.canonicalize_url(url, self.crawl_origin)

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

    def _request(self, url: str, callback: Callable, stage: str, **cb_kwargs: Any):
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            cb_kwargs=cb_kwargs,
            meta={"stage": stage},
        )

    def _complete_or_error(
        self, response: Response, stage: str
    ) -> CrawlErrorItem | scrapy.Request | None:
        """None for a whole page; for one cut off in transit (no footer), the request again,
        up to the stage's limit, then an error item."""
        if parsing.has_page_footer(response.selector):
            return None
        self._inc_stat(STAT_TRUNCATED_RESPONSES)
        attempts = response.meta.get("truncated_attempts", 1)
        if attempts <= self._truncated_retries(stage):
            meta = {**response.meta, "truncated_attempts": attempts + 1}
            return response.request.replace(dont_filter=True, meta=meta)
        return self._error_item(
            response.url,
            stage,
            f"page arrived without its footer (cut off in transit) {attempts} times",
            response.status,
            attempts,
        )

    def _truncated_retries(self, stage: str) -> int:
        crawler = getattr(self, "crawler", None)
        setting = {
            STAGE_LISTING: "PFDW_LISTING_RETRY_TIMES",
            STAGE_RECOMMENDATION: "PFDW_REPORT_RETRY_TIMES",
            STAGE_INVESTIGATION: "PFDW_REPORT_RETRY_TIMES",
        }[stage]
        if crawler is not None and crawler.settings.get(setting) is not None:
            return crawler.settings.getint(setting)
        return DEFAULT_TRUNCATED_RETRIES[stage]

    # --- requests ------------------------------------------------------------------------------

    def listing_request(self, page_number: int, url: str | None = None) -> scrapy.Request:
        return self._request(
            url or self.crawl_origin + sel.LOG_PATH,
            self.parse_listing,
            STAGE_LISTING,
            page_number=page_number,
        )

    async def start(self) -> AsyncIterator[Any]:
        yield self.listing_request(1)

    # --- callbacks -----------------------------------------------------------------------------

    def parse_listing(self, response: Response, page_number: int) -> Iterable[Any]:
        error = self._complete_or_error(response, STAGE_LISTING)
        if error is not None:
            yield error
            if isinstance(error, CrawlErrorItem):
                yield from self.investigation_requests()
            return
        listing = parsing.parse_listing_page(response.selector, response.url)
        self._inc_stat(STAT_LISTING_PAGES)
        self._inc_stat(SHARED_STAT_LISTING_PAGES)
        self._inc_stat(STAT_LISTING_ENTRIES, len(listing.entries))
        if page_number == 1:
            self._set_stat(STAT_LISTING_PAGE_1_CARDS, len(listing.entries))
        if not listing.entries:
            yield self._error_item(
                response.url,
                STAGE_LISTING,
                "no entries found on listing page: layout drift?",
                response.status,
                1,
            )
        for entry in listing.entries:
            if not self._on_crawl_origin(entry.item_url):
                continue
            context = {
                "investigation_title": entry.investigation_title,
                "investigation_url": (
                    self.canonical(entry.investigation_url) if entry.investigation_url else None
                ),
                "investigation_source": "listing",
            }
            yield self._request(
                entry.item_url,
                self.parse_recommendation,
                STAGE_RECOMMENDATION,
                context=context,
                listing_page=page_number,
            )
            if entry.investigation_url and self._on_crawl_origin(entry.investigation_url):
                self.pending_investigations[entry.investigation_url] = None
        within_limit = self.max_listing_pages is None or page_number < self.max_listing_pages
        if listing.next_page_url and within_limit and self._on_crawl_origin(listing.next_page_url):
            yield self.listing_request(page_number + 1, listing.next_page_url)
        else:
            yield from self.investigation_requests()

    def investigation_requests(self) -> Iterable[scrapy.Request]:
        """The second route: every investigation page the listing linked, once."""
        pending, self.pending_investigations = self.pending_investigations, {}
        for url in pending:
            yield self._request(url, self.parse_investigation, STAGE_INVESTIGATION)

    def parse_investigation(self, response: Response) -> Iterable[Any]:
        error = self._complete_or_error(response, STAGE_INVESTIGATION)
        if error is not None:
            yield error
            return
        self._inc_stat(STAT_INVESTIGATION_PAGES)
        investigation = parsing.parse_investigation_page(response.selector, response.url)
        context = {
            "investigation_title": investigation["title"],
            "investigation_url": investigation["url"],
            "investigation_source": "investigation_page",
        }
        for block in investigation["recommendations"]:
            link = block["log_item_url"]
            if link and self._on_crawl_origin(link):
                yield self._request(
                    link,
                    self.parse_recommendation,
                    STAGE_RECOMMENDATION,
                    context=context,
                    listing_page=None,
                )
                continue
            fields = parsing.recommendation_from_investigation_block(block, investigation)
            self._inc_stat(STAT_ITEMS_FROM_INVESTIGATIONS)
            path = urlsplit(response.url).path + f"#recommendation-{block['position']}"
            yield self._item(
                fields, response, path, "investigation_page", None, "investigation_page"
            )

    def parse_recommendation(
        self, response: Response, context: dict, listing_page: int | None
    ) -> Iterable[Any]:
        error = self._complete_or_error(response, STAGE_RECOMMENDATION)
        if error is not None:
            yield error
            return
        self._inc_stat(STAT_RECOMMENDATION_PAGES)
        self._inc_stat(STAT_REPORT_PAGES)
        fields = parsing.parse_recommendation_page(response.selector, response.url)
        if not fields["recommendation_text"]:
            self._inc_stat(STAT_REPORT_PAGES_EMPTY)
        investigation_source = "page" if fields["investigation_title"] else None
        if not fields["investigation_title"] and context.get("investigation_title"):
            fields["investigation_title"] = context["investigation_title"]
            investigation_source = context["investigation_source"]
            fields["parse_warnings"].append(
                f"investigation title taken from the {investigation_source.replace('_', ' ')}"
            )
        if not fields["investigation_url"] and context.get("investigation_url"):
            fields["investigation_url"] = context["investigation_url"]
            investigation_source = investigation_source or context["investigation_source"]
        parts = urlsplit(response.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        yield self._item(fields, response, path, "log_item", listing_page, investigation_source)

    def _item(
        self,
        fields: dict,
        response: Response,
        page_path: str,
        kind: str,
        listing_page: int | None,
        investigation_source: str | None,
    ) -> HssibRecommendationItem:
        return HssibRecommendationItem(
            **fields,
            page_path=page_path,
            source_page_kind=kind,
            listing_page=listing_page,
            investigation_source=investigation_source,
            crawled_at=self._now(),
            http_etag=response_header(response, "ETag"),
        )

    def on_error(self, failure: Failure) -> Iterable[Any]:
        """Fetch failed after Scrapy's retries: record it, never drop it silently."""
        request = failure.request
        stage = request.meta.get("stage", STAGE_RECOMMENDATION)
        what = describe_failure(failure)
        self.logger.warning("giving up on %s (%s): %s", request.url, stage, what.reason)
        yield self._error_item(request.url, stage, what.reason, what.status, what.attempts)
        if stage == STAGE_LISTING:
            # The rest of the listing is out of reach: recover what the second route can.
            yield from self.investigation_requests()
