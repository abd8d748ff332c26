"""Scrapy settings for the project's spiders, plus the live and snapshot profiles.

The crawl runner (``scrapers.crawl``) starts ``scrapy crawl`` with
``SCRAPY_SETTINGS_MODULE=scrapers.settings`` and applies one profile, and any overrides, with
``-s NAME=value``. Nothing here reads the environment: the runner decides the contact address.
"""

from __future__ import annotations

BOT_NAME = "pfdw"
# The crawl runner names the one spider module of the source it crawls
# (``scrapers.<slug>.spider``, from ``scrapers.common.source.CrawlSource``).
SPIDER_MODULES: list[str] = []

# Obviously a placeholder: the runner replaces it with PFDW_CRAWLER_CONTACT for live crawls.
PLACEHOLDER_CONTACT = "set-PFDW_CRAWLER_CONTACT@example.invalid"


def user_agent(contact: str = PLACEHOLDER_CONTACT) -> str:
    """The User-Agent that names the project and how to reach whoever runs the crawler."""
    if not contact or any(char in contact for char in "\r\n"):
        raise ValueError(f"crawler contact must be a single non-empty line, got {contact!r}")
    return f"pfd-warehouse/0.1 (open warehouse of coroners' PFD reports; contact: {contact})"


USER_AGENT = user_agent()
ROBOTSTXT_OBEY = True

# Polite defaults (the live profile below repeats them explicitly).
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 30
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 408, 429]
# Per-stage retry limits (the spider puts them in request meta): a lost listing page hides up
# to ten reports, so listing pages are retried harder than report pages.
PFDW_LISTING_RETRY_TIMES = 8
PFDW_REPORT_RETRY_TIMES = 3

# Report PDFs (read for the report's text when its page shows none): a PDF larger than this is
# not downloaded (a crawl error says so), and only its first pages are read.
PFDW_PDF_MAX_BYTES = 20_000_000
PFDW_PDF_MAX_PAGES = 60
# A PDF is fetched once per URL. An incremental (daily) run fetches at most this many (0 = no
# limit), new reports' first; PDFs over the budget (a new warehouse has thousands unread) wait
# for the next run. Full crawls have no PDF budget.
PFDW_INCREMENTAL_PDF_BUDGET = 150

# Off by default; turn on for development with -s HTTPCACHE_ENABLED=True.
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 0

COOKIES_ENABLED = False
# No local servers: Scrapy's telnet console (a remote-control shell on 127.0.0.1:6023) is off,
# and its extension is left out besides, in every profile (tests/scrapers/judiciary_pfd/test_run).
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {"scrapers.pipelines.JsonLinesRunPipeline": 300}
EXTENSIONS = {
    "scrapers.extensions.RunStatsExtension": 500,
    "scrapers.extensions.CrawlProgressExtension": 510,
    "scrapy.extensions.telnet.TelnetConsole": None,
}

# The run folder the pipeline and the stats extension write to; set by the runner.
PFDW_RUN_DIR = None
# Seconds between progress snapshots (progress.json; the runner logs one line per snapshot);
# 0 = only the closing one. The runner sets it (run_crawl(progress_interval_s=...) or
# $PFDW_PROGRESS_INTERVAL, default scrapers.common.progress.DEFAULT_PROGRESS_INTERVAL_S).
PFDW_PROGRESS_INTERVAL = 5.0

LIVE_SETTINGS: dict = {
    "ROBOTSTXT_OBEY": True,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 1.0,
    "HTTPCACHE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
}

# The offline snapshot is ours and local: go as fast as two cores allow, but still read
# robots.txt (the snapshot serves one) so the code path is the live one.
SNAPSHOT_SETTINGS: dict = {
    "ROBOTSTXT_OBEY": True,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "DOWNLOAD_DELAY": 0,
    "HTTPCACHE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
}

PROFILES = {"live": LIVE_SETTINGS, "snapshot": SNAPSHOT_SETTINGS}
