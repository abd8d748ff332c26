"""The judiciary_pfd spider's report-text half: the report's words from the page, else from its
report PDF, each PDF fetched once (see the spider's docstring).

``ReportTextsMixin`` is mixed into ``JudiciaryPfdSpider``; it relies on the spider's
``mode``, ``crawl_origin``, ``clock`` helpers (``_now``, ``_inc_stat``, ``_setting_int``,
``_retry_times``, ``_error_item``) and ``on_error``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from scrapers import settings as crawl_settings
from scrapers.common.html import strip_ascii
from scrapers.common.spider import read_json_object
from scrapers.judiciary_pfd import parsing
from scrapers.judiciary_pfd.items import ReportTextItem
from scrapers.judiciary_pfd.pdf_text import extract_pdf_text, looks_complete
from scrapers.judiciary_pfd.report_text import report_text_fields

STAGE_REPORT_PDF = "report_pdf"

STAT_PDF_REQUESTS = "pfdw/report_pdf_requests"  # PDFs asked for (retries not counted)
STAT_PDF_BACKFILL = "pfdw/report_pdf_backfill_requests"  # of which from the text state
STAT_PDF_ALREADY_READ = "pfdw/report_pdfs_already_read"  # same URL as the known text: skipped
STAT_PDF_DEFERRED = "pfdw/report_pdfs_deferred"  # over the run's PDF budget: a later run
STAT_PDF_TRUNCATED = "pfdw/report_pdfs_truncated"  # answers without %%EOF (asked again)
STAT_TEXTS_PREFIX = "pfdw/report_texts/"  # + "<text_source>/<text_status>"
STAT_NO_TEXT = "pfdw/report_texts/none"  # no inline text and no report PDF

# Defaults when the spider runs without the project settings (scrapers.settings sets them).
DEFAULT_PDF_MAX_BYTES = crawl_settings.PFDW_PDF_MAX_BYTES
DEFAULT_PDF_MAX_PAGES = crawl_settings.PFDW_PDF_MAX_PAGES
DEFAULT_INCREMENTAL_PDF_BUDGET = crawl_settings.PFDW_INCREMENTAL_PDF_BUDGET
# After report pages (0) and listing pages (10): a PDF never holds up the walk of the site.
PDF_PRIORITY = -10


def load_text_state(path: str | Path) -> tuple[dict[str, str], list[dict]]:
    """Read a text state file ``{"known": [...], "missing": [...]}`` (objects with "url" and
    "document_url"): ``({report URL: PDF URL its text was read from}, [report PDFs not read])``."""
    state_path = Path(path)
    state = read_json_object(state_path, "text_state_file")
    entries = {}
    for name in ("known", "missing"):
        value = state.get(name, [])
        if not isinstance(value, list) or not all(
            isinstance(entry, dict)
            and isinstance(entry.get("url"), str)
            and isinstance(entry.get("document_url"), str)
            for entry in value
        ):
            raise ValueError(
                f"text_state_file {state_path}: {name} must be a list of objects with 'url' "
                "and 'document_url' strings"
            )
        entries[name] = [{"url": e["url"], "document_url": e["document_url"]} for e in value]
    known = {entry["url"]: entry["document_url"] for entry in entries["known"]}
    return known, entries["missing"]


class ReportTextsMixin:
    known_texts: dict[str, str]  # report URL -> the PDF URL its known text was read from
    missing_texts: list[dict]  # report PDFs never read: fetched when the crawl is idle
    texts_handled: set[str]  # reports whose text this run has dealt with
    pdf_waiting: dict[str, list[str]]  # PDF URL in flight -> the reports waiting for it
    pdf_requests: int

    def init_texts(self, text_state_file: str | None) -> None:
        self.known_texts, self.missing_texts = (
            load_text_state(text_state_file) if text_state_file else ({}, [])
        )
        self.texts_handled = set()
        self.pdf_waiting = {}
        self.pdf_requests = 0

    def pdf_budget(self) -> int | None:
        """PDFs this run may fetch: None (no limit) in full mode and when the setting is 0."""
        if self.mode != "incremental":
            return None
        budget = self._setting_int("PFDW_INCREMENTAL_PDF_BUDGET", DEFAULT_INCREMENTAL_PDF_BUDGET)
        return budget if budget > 0 else None

    # --- from a parsed report page ---------------------------------------------------------

    def report_text(self, parsed: dict, crawled_at: str) -> Iterator[Any]:
        """The text of a parsed report page: inline sections, else a request for its report
        PDF (unless already read from that URL), else whatever inline text it shows."""
        report_url = parsed["url"]
        self.texts_handled.add(report_url)
        inline = parsed["inline_text"]
        if parsed["report_sections"]:
            yield self.text_item(report_url, crawled_at, inline, text_source="page")
            return
        pdf_url = parsing.report_pdf_url(parsed["documents"])
        if pdf_url is not None:
            request = self.pdf_request(report_url, pdf_url)
            if request is not None:
                yield request
            return
        if strip_ascii(inline):
            yield self.text_item(report_url, crawled_at, inline, text_source="page")
        else:
            self._inc_stat(STAT_NO_TEXT)

    def text_item(
        self,
        report_url: str,
        crawled_at: str,
        raw_text: str | None,
        *,
        text_source: str,
        document_url: str | None = None,
        page_count: int | None = None,
        warnings: list[str] | None = None,
        unreadable: bool = False,
    ) -> ReportTextItem:
        fields = report_text_fields(
            raw_text,
            text_source=text_source,
            document_url=document_url,
            page_count=page_count,
            warnings=warnings,
            unreadable=unreadable,
        )
        self._inc_stat(f"{STAT_TEXTS_PREFIX}{text_source}/{fields['text_status']}")
        return ReportTextItem(url=report_url, crawled_at=crawled_at, **fields)

    # --- PDF requests ------------------------------------------------------------------------

    def pdf_request(
        self, report_url: str, pdf_url: str, *, backfill: bool = False
    ) -> scrapy.Request | None:
        """A request for a report PDF, or None: already read from this URL, already in flight
        (the report then waits for that answer too), or over the run's PDF budget."""
        if self.known_texts.get(report_url) == pdf_url:
            self._inc_stat(STAT_PDF_ALREADY_READ)
            return None
        waiting = self.pdf_waiting.get(pdf_url)
        if waiting is not None:
            waiting.append(report_url)
            return None
        budget = self.pdf_budget()
        if budget is not None and self.pdf_requests >= budget:
            self._inc_stat(STAT_PDF_DEFERRED)
            return None
        self.pdf_requests += 1
        self._inc_stat(STAT_PDF_REQUESTS)
        if backfill:
            self._inc_stat(STAT_PDF_BACKFILL)
        self.pdf_waiting[pdf_url] = [report_url]
        return scrapy.Request(
            parsing.to_crawl_url(pdf_url, self.crawl_origin),
            callback=self.parse_report_pdf,
            errback=self.on_error,
            meta={
                "stage": STAGE_REPORT_PDF,
                "document_url": pdf_url,
                "max_retry_times": self._retry_times(STAGE_REPORT_PDF),
                "download_maxsize": self._setting_int("PFDW_PDF_MAX_BYTES", DEFAULT_PDF_MAX_BYTES),
            },
            priority=PDF_PRIORITY,
            # The same PDF may be asked for again after its answer (another report linking it
            # later); waiting reports are tracked here, so Scrapy's filter must not drop it.
            dont_filter=True,
        )

    def backfill_requests(self) -> list[scrapy.Request]:
        """Requests for the text state's unread PDFs whose report this run did not deal with."""
        requests = []
        missing, self.missing_texts = self.missing_texts, []
        for entry in missing:
            if entry["url"] in self.texts_handled:
                continue
            self.texts_handled.add(entry["url"])
            request = self.pdf_request(entry["url"], entry["document_url"], backfill=True)
            if request is not None:
                requests.append(request)
        return requests

    def on_idle(self) -> None:
        """Nothing else to fetch: ask for the unread PDFs (spider_idle signal)."""
        requests = self.backfill_requests()
        if not requests:
            return
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    # --- PDF answers -------------------------------------------------------------------------

    def parse_report_pdf(self, response: Response) -> Iterable[Any]:
        pdf_url = response.meta["document_url"]
        warnings = []
        if not looks_complete(response.body):
            self._inc_stat(STAT_PDF_TRUNCATED)
            attempts = response.meta.get("truncated_attempts", 1)
            if attempts <= response.meta.get("max_retry_times", 0):
                meta = {**response.meta, "truncated_attempts": attempts + 1}
                yield response.request.replace(dont_filter=True, meta=meta)
                return
            warnings.append(f"the PDF has no %%EOF after {attempts} attempts: it may be cut short")
        crawled_at = self._now()
        max_pages = self._setting_int("PFDW_PDF_MAX_PAGES", DEFAULT_PDF_MAX_PAGES)
        extracted = extract_pdf_text(response.body, max_pages=max_pages)
        for report_url in self.pdf_waiting.pop(pdf_url, []):
            yield self.text_item(
                report_url,
                crawled_at,
                extracted.text,
                text_source="pdf",
                document_url=pdf_url,
                page_count=extracted.page_count,
                warnings=warnings + extracted.warnings,
                unreadable=not extracted.readable,
            )

    def pdf_failure_reason(self, meta: dict, reason: str) -> str:
        """The error reason of a PDF that could not be fetched, naming the reports it was for
        (their pages were read; only their text is missing)."""
        reports = self.pdf_waiting.pop(meta.get("document_url"), [])
        return f"{reason} (report PDF of {', '.join(reports) or 'no report'})"
