"""Crawl progress a person can watch: what the crawl process reports, and the line it becomes.

The crawl process (``scrapers.extensions.CrawlProgressExtension``) writes a small snapshot of
counts to ``progress.json`` in the run folder every few seconds; the crawl runner
(``scrapers.crawl``) reads it while it waits and turns each new snapshot into one line, e.g.
``judiciary_pfd: 1,240 pages (38 listing, 1,202 report), 21.4 pages/s, 3 errors, ~31 s left
(est.)``. This module is the pure part: no Scrapy, no files.

Time left is an estimate from what the crawl knows, never invented: pages already asked for
and not answered, plus the pages those will lead to at the rate seen so far (reports per
listing page, PDFs per report page). While the listing is still being walked page by page
(nobody knows yet how long it is) or a stage has nothing answered to judge by, it says
"time left unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROGRESS_FILE = "progress.json"
PROGRESS_INTERVAL_SETTING = "PFDW_PROGRESS_INTERVAL"
DEFAULT_PROGRESS_INTERVAL_S = 5.0
# The rate is measured over the last half minute, so a slow start does not hide today's pace.
RATE_WINDOW_S = 30.0
# A spider that knows how many listing pages it will read (from page 1's pager) may set this
# stat; without it, listing pages still being walked make the time left unknown.
STAT_LISTING_PAGES_EXPECTED = "pfdw/listing_pages_expected"

# Request stage (request.meta["stage"]) -> what a person calls the page; unknown stages show
# their own name, requests without a stage (robots.txt) count as "other".
STAGE_LABELS = {"canary": "report", "report_pdf": "PDF"}
# A page of the child stage is found on a page of the parent stage: how the estimate
# extrapolates pages not asked for yet (every source's stages, in parent-before-child order).
STAGE_PARENTS = (
    ("report", "listing"),
    ("recommendation", "listing"),
    ("investigation", "listing"),
    ("report_pdf", "report"),
)
LISTING_STAGE = "listing"
OTHER = "other"
# The order a line lists page kinds in (others after these, by name; "other" last).
LABEL_ORDER = ("listing", "report", "recommendation", "investigation", "PDF")


def stage_label(stage: str | None) -> str:
    if not stage:
        return OTHER
    return STAGE_LABELS.get(stage, stage)


def remaining_pages(snapshot: dict[str, Any]) -> float | None:
    """Pages still to fetch, estimated from the snapshot, or None when it cannot be known."""
    done: dict[str, int] = snapshot.get("done") or {}
    pending: dict[str, int] = snapshot.get("pending") or {}
    requested: dict[str, int] = snapshot.get("requested") or {}
    if not sum(done.values()):
        return None
    # Pages asked for and not answered yet, per stage; then the pages they will lead to.
    ahead: dict[str, float] = {stage: float(count) for stage, count in pending.items()}
    expected_listing = snapshot.get("listing_pages_expected")
    if isinstance(expected_listing, int) and expected_listing > 0:
        not_answered = float(expected_listing - done.get(LISTING_STAGE, 0))
        ahead[LISTING_STAGE] = max(ahead.get(LISTING_STAGE, 0.0), not_answered)
    elif ahead.get(LISTING_STAGE, 0) > 0:
        return None  # the listing is walked one page at a time: its length is unknown yet
    for child, parent in STAGE_PARENTS:
        parents_ahead = ahead.get(parent, 0.0)
        if parents_ahead <= 0:
            continue
        if not done.get(parent):
            return None  # no page of the parent stage answered yet: nothing to go by
        found_per_parent = requested.get(child, 0) / done[parent]
        ahead[child] = ahead.get(child, 0.0) + parents_ahead * found_per_parent
    return sum(ahead.values())


def format_count(value: int) -> str:
    return f"{value:,}"


def format_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def format_time_left(remaining: float | None, rate: float | None) -> str:
    if remaining is None or rate is None or (remaining > 0 and rate <= 0):
        return "time left unknown"
    if remaining < 0.5:
        return "finishing"
    return f"~{format_duration(remaining / rate)} left (est.)"


def pages_by_label(snapshot: dict[str, Any]) -> tuple[int, list[tuple[str, int]]]:
    """(all pages answered, [(label, pages)] in LABEL_ORDER)."""
    by_label: dict[str, int] = {}
    for stage, count in (snapshot.get("done") or {}).items():
        label = stage_label(stage or None)
        by_label[label] = by_label.get(label, 0) + int(count)

    def order(label: str) -> tuple[int, str]:
        if label in LABEL_ORDER:
            return LABEL_ORDER.index(label), ""
        return len(LABEL_ORDER) + (label == OTHER), label

    parts = [(label, by_label[label]) for label in sorted(by_label, key=order) if by_label[label]]
    return sum(by_label.values()), parts


def format_pages(snapshot: dict[str, Any]) -> str:
    total, parts = pages_by_label(snapshot)
    detail = ", ".join(f"{format_count(count)} {label}" for label, count in parts)
    text = f"{format_count(total)} page{'' if total == 1 else 's'}"
    return f"{text} ({detail})" if detail else text


def format_errors(count: int) -> str:
    return f"{format_count(count)} error{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class CrawlProgress:
    """One progress report: ``line`` is what a person reads; the rest is there for code."""

    spider: str
    line: str
    pages: int
    errors: int
    pages_per_second: float | None
    seconds_left: float | None
    final: bool = False


class ProgressTracker:
    """Turns successive snapshots of one crawl into progress reports (keeps the rate window)."""

    def __init__(self, spider: str, window_s: float = RATE_WINDOW_S):
        self.spider = spider
        self.window_s = window_s
        self.samples: list[tuple[float, int]] = [(0.0, 0)]
        self.last: dict[str, Any] | None = None

    def rate(self) -> float | None:
        """Pages per second over the last ``window_s`` seconds of samples."""
        now, pages = self.samples[-1]
        earlier = [s for s in self.samples[:-1] if now - s[0] <= self.window_s]
        if not earlier:
            earlier = self.samples[-2:-1]  # samples further apart than the window
        if not earlier or now - earlier[0][0] <= 0:
            return None
        since, then = earlier[0]
        return (pages - then) / (now - since)

    def update(self, snapshot: dict[str, Any]) -> CrawlProgress:
        self.last = snapshot
        pages, _ = pages_by_label(snapshot)
        elapsed = float(snapshot.get("elapsed_s") or 0.0)
        if elapsed > self.samples[-1][0]:
            self.samples.append((elapsed, pages))
            kept = [s for s in self.samples if elapsed - s[0] <= self.window_s]
            self.samples = self.samples[-len(kept) - 1 :]  # and the one just before the window
        rate = self.rate()
        remaining = remaining_pages(snapshot)
        errors = int(snapshot.get("errors") or 0)
        rate_text = f"{rate:.1f} pages/s" if rate is not None else "rate unknown"
        seconds_left = remaining / rate if remaining is not None and rate else None
        line = (
            f"{self.spider}: {format_pages(snapshot)}, {rate_text}, {format_errors(errors)}, "
            f"{format_time_left(remaining, rate)}"
        )
        return CrawlProgress(self.spider, line, pages, errors, rate, seconds_left)

    def final(self, status: str, mode: str, wall_seconds: float) -> CrawlProgress:
        """The closing line: totals and the average rate over the whole crawl."""
        snapshot = self.last or {}
        pages, _ = pages_by_label(snapshot)
        errors = int(snapshot.get("errors") or 0)
        rate = pages / wall_seconds if wall_seconds > 0 else None
        rate_text = f", {rate:.1f} pages/s" if rate is not None else ""
        line = (
            f"{self.spider} {mode} crawl {status}: {format_pages(snapshot)} in "
            f"{wall_seconds:.1f} s{rate_text}, {format_errors(errors)}"
        )
        return CrawlProgress(self.spider, line, pages, errors, rate, 0.0, final=True)
