"""Items every spider may yield, and the run folder files they go to.

Items are the contract between the spiders (which never touch the warehouse) and the raw loaders
in ``orchestration.sources.<slug>.load``. The JSON Lines pipeline writes each item type to its own
file inside the crawl's run folder:

    <run_dir>/<run_file>           a source's own items (``run_file`` on the item class: e.g.
                                   reports.jsonl for judiciary_pfd, recommendations.jsonl for HSSIB)
    <run_dir>/not_modified.jsonl   NotModifiedItem, one per conditional request answered 304
    <run_dir>/skipped.jsonl        SkippedPageItem, pages deliberately not loaded (with reason)
    <run_dir>/errors.jsonl         CrawlErrorItem, pages that could not be fetched or parsed
    <run_dir>/stats.json           Scrapy stats at close (written by scrapers.extensions)
    <run_dir>/run.json             written by scrapers.crawl when the crawl process has ended

All URLs in items are canonical: the origin the crawler actually talked to (for example the
offline snapshot on 127.0.0.1) is replaced by the live site's origin, so a snapshot crawl and a
live crawl produce the same natural keys.
"""

from __future__ import annotations

import scrapy


class NotModifiedItem(scrapy.Item):
    """A revisited report page that answered 304 Not Modified to a conditional request."""

    url = scrapy.Field()
    crawled_at = scrapy.Field()
    http_etag = scrapy.Field()
    http_last_modified = scrapy.Field()


class SkippedPageItem(scrapy.Item):
    """A page in the listing that is deliberately not loaded (e.g. a legacy category post)."""

    url = scrapy.Field()
    reason = scrapy.Field()
    crawled_at = scrapy.Field()


class CrawlErrorItem(scrapy.Item):
    """A page that could not be fetched or parsed after retries. Never silently dropped."""

    url = scrapy.Field()
    stage = scrapy.Field()  # "listing" | "report"
    reason = scrapy.Field()  # human readable, e.g. "HTTP 500 after 5 attempts"
    http_status = scrapy.Field()  # int or None
    attempts = scrapy.Field()  # int
    crawled_at = scrapy.Field()
