"""Decide what a daily (incremental) crawl fetches, from what the warehouse already holds.

A daily run must not re-crawl the site. It reads listing pages only until it reaches reports it
already holds, fetches the new reports, and revisits, with conditional requests, only report pages
that can still change: reports added less than ``max_age_days`` ago whose recipients have not all
had a response published, and every report in its first ``recent_days`` whatever its count of
responses (a response may come from someone who was not named, so a count can close a report too
early: the 30-day simulation missed one such response). Revisits are spread over the days so that
no single run is large: recent reports (up to ``recent_days`` old) are revisited every
``recent_interval_days`` days, older open reports every ``open_interval_days`` days, each page on
its own phase (a stable hash of its URL), and never twice on the same logical day. Pages older than
``max_age_days`` are left to the monthly full recrawl.

A daily run also re-fetches, whatever the revisit policy says, the report pages a past run could
not load (``retry``: every page a run recorded as a crawl error and no later run loaded, given up
after ``MAX_RETRY_RUNS`` failed runs and left to the monthly full recrawl), and a canary
(``canary``): ``CANARY_PAGES`` known report pages that parsed with header fields, chosen by a hash
of the logical date so the sample rotates day by day, fetched without conditional headers so a
markup change the parser no longer reads fails the run even on a day with nothing new.

Every crawl (full or incremental) also gets a text state (``build_text_state``): the PDF each known
report text was read from, so a PDF is fetched once per URL, and the report PDFs never read yet
(newest first; one whose fetch failed in ``MAX_PDF_FAILURES`` runs is given up on); and
``listed``, the listing page each known report was last found on, so the reports of a listing page
the crawl loses are fetched directly rather than silently missed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from orchestration.warehouse.connection import table_exists

# A report PDF whose fetch failed in this many runs is no longer asked for.
MAX_PDF_FAILURES = 3
# A report page that failed in this many runs since it was last loaded is left to the monthly
# full recrawl (a page removed from the site answers 404 for ever).
MAX_RETRY_RUNS = 5
# Known report pages every daily run re-fetches to prove the parser still reads the site.
CANARY_PAGES = 5
# Crawl errors of these stages are report pages that were not loaded (listing pages are read
# again by every run anyway; PDFs have their own retry rule).
RETRY_STAGES = ("report", "canary")

# Separators that reliably split the raw "sent to" text into recipients. Commas and " and " are
# left out on purpose: they also occur inside names and addresses, and an over-count only costs
# extra revisits, while an under-count would close a report too early.
_RECIPIENT_SEPARATORS = re.compile(r"\s*(?:\||;|\n)\s*")
_NO_NAMED_RECIPIENT = re.compile(r"^\W*(redacted|various recipients.*|n/?a)?\W*$", re.IGNORECASE)


@dataclass(frozen=True)
class RevisitPolicy:
    max_age_days: int = 730
    recent_days: int = 90
    recent_interval_days: int = 2
    open_interval_days: int = 7

    def __post_init__(self) -> None:
        for name in ("max_age_days", "recent_days", "recent_interval_days", "open_interval_days"):
            if getattr(self, name) < 1:
                raise ValueError(
                    f"RevisitPolicy.{name} must be at least 1, got {getattr(self, name)}"
                )


def estimated_recipient_count(sent_to_raw: str | None) -> int:
    """How many recipients the raw text names, erring on the high side; 0 when none is named."""
    if sent_to_raw is None or _NO_NAMED_RECIPIENT.match(sent_to_raw):
        return 0
    return len([piece for piece in _RECIPIENT_SEPARATORS.split(sent_to_raw) if piece.strip()])


def _phase(url: str, interval: int) -> int:
    return int.from_bytes(hashlib.sha1(url.encode()).digest()[:4], "big") % interval


def is_open(sent_to_raw: str | None, responses: int) -> bool:
    """A report can still change while some recipient has no published response.

    With no named recipient we cannot tell, so the report stays open until a response appears.
    """
    expected = estimated_recipient_count(sent_to_raw)
    if expected == 0:
        return responses == 0
    return responses < expected


def is_due(
    url: str, added_on: date, last_fetched_on: date, logical_date: date, policy: RevisitPolicy
) -> bool:
    days_since_fetch = (logical_date - last_fetched_on).days
    if days_since_fetch < 1:
        return False
    age = (logical_date - added_on).days
    if age > policy.max_age_days:
        return False
    interval = (
        policy.recent_interval_days if age <= policy.recent_days else (policy.open_interval_days)
    )
    if days_since_fetch >= interval:
        return True
    return (logical_date.toordinal() + _phase(url, interval)) % interval == 0


def build_crawl_state(
    con: duckdb.DuckDBPyConnection, logical_date: date, policy: RevisitPolicy | None = None
) -> dict[str, Any]:
    """The state file an incremental judiciary_pfd crawl reads: known URLs and pages to revisit."""
    policy = policy or RevisitPolicy()
    known = [
        row[0]
        for row in con.execute(
            """
            SELECT report_url FROM raw.judiciary_pfd__reports
            UNION SELECT url FROM raw.skipped_pages WHERE spider = 'judiciary_pfd'
            ORDER BY 1
            """
        ).fetchall()
    ]
    candidates = con.execute(
        """
        SELECT r.report_url, r.sent_to_raw, r.http_etag, r.http_last_modified,
               coalesce(try_cast(left(r.date_added_raw, 10) AS DATE), r.first_seen_on) AS added_on,
               r.last_fetched_on,
               count(d.document_url) FILTER (WHERE d.kind = 'response' AND d.is_current)
        FROM raw.judiciary_pfd__reports r
        LEFT JOIN raw.judiciary_pfd__documents d USING (report_url)
        WHERE coalesce(try_cast(left(r.date_added_raw, 10) AS DATE), r.first_seen_on)
              >= ?::DATE - ?::INTEGER
        GROUP BY ALL
        ORDER BY r.report_url
        """,
        [logical_date, policy.max_age_days],
    ).fetchall()
    revisit = []
    for url, sent_to, etag, last_modified, added_on, last_fetched_on, responses in candidates:
        recent = (logical_date - added_on).days <= policy.recent_days
        if not recent and not is_open(sent_to, responses):
            continue
        if is_due(url, added_on, last_fetched_on, logical_date, policy):
            revisit.append({"url": url, "etag": etag, "last_modified": last_modified})
    retry = retry_urls(con)
    canary = canary_urls(con, logical_date)
    # Pages to retry count as known: they are fetched directly, and must not send the listing
    # walk deeper than the newest known report.
    known = sorted(set(known) | set(retry))
    return {
        "logical_date": logical_date.isoformat(),
        "known_urls": known,
        "revisit": revisit,
        "retry": retry,
        "canary": canary,
    }


def retry_urls(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Report pages a run recorded as a crawl error and no later run loaded (or skipped), that
    failed in fewer than ``MAX_RETRY_RUNS`` runs since."""
    if not table_exists(con, "raw", "crawl_errors"):
        return []
    rows = con.execute(
        """
        WITH runs AS (SELECT run_id, started_at FROM raw.crawl_runs WHERE spider = ?),
        seen AS (
            SELECT r.report_url AS url, runs.started_at
            FROM raw.judiciary_pfd__reports r JOIN runs ON runs.run_id = r.last_seen_run_id
            UNION ALL
            SELECT s.url, runs.started_at
            FROM raw.skipped_pages s JOIN runs USING (run_id) WHERE s.spider = ?
        ),
        last_seen AS (SELECT url, max(started_at) AS started_at FROM seen GROUP BY url)
        SELECT e.url
        FROM raw.crawl_errors e
        JOIN runs USING (run_id)
        LEFT JOIN last_seen l USING (url)
        WHERE e.spider = ? AND e.stage IN (SELECT unnest(?::VARCHAR[]))
          AND (l.started_at IS NULL OR runs.started_at > l.started_at)
        GROUP BY e.url
        HAVING count(DISTINCT e.run_id) < ?
        ORDER BY e.url
        """,
        ["judiciary_pfd", "judiciary_pfd", "judiciary_pfd", list(RETRY_STAGES), MAX_RETRY_RUNS],
    ).fetchall()
    return [row[0] for row in rows]


def canary_urls(
    con: duckdb.DuckDBPyConnection, logical_date: date, size: int = CANARY_PAGES
) -> list[str]:
    """``size`` known report pages whose last observation had header fields, chosen by a hash of
    (logical date, URL): the same pages for the same day, a different sample the next."""
    urls = [
        row[0]
        for row in con.execute(
            """
            SELECT report_url FROM raw.judiciary_pfd__reports
            WHERE coalesce(ref_raw, date_of_report_raw, deceased_name_raw, coroner_area_raw)
                  IS NOT NULL
            """
        ).fetchall()
    ]

    def rank(url: str) -> bytes:
        return hashlib.sha256(f"{logical_date.isoformat()}|{url}".encode()).digest()

    return sorted(sorted(urls, key=rank)[:size])


def write_crawl_state(state: dict[str, Any], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=1))
    return path


def build_text_state(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The text state a judiciary_pfd crawl reads: ``known`` (report URL and the PDF its text was
    read from) and ``missing`` (current report PDFs whose text was never read), newest first."""
    if not table_exists(con, "raw", "judiciary_pfd__documents"):
        return {"known": [], "missing": [], "listed": []}
    has_texts = table_exists(con, "raw", "judiciary_pfd__report_texts")
    texts = (
        "SELECT report_url, text_source, document_url FROM raw.judiciary_pfd__report_texts"
        if has_texts
        else "SELECT NULL::VARCHAR AS report_url, NULL::VARCHAR AS text_source,"
        " NULL::VARCHAR AS document_url WHERE false"
    )
    known = [
        {"url": url, "document_url": document_url}
        for url, document_url in con.execute(
            f"SELECT report_url, document_url FROM ({texts}) "  # noqa: S608 - our own SQL
            "WHERE text_source = 'pdf' AND document_url IS NOT NULL ORDER BY report_url"
        ).fetchall()
    ]
    # The report PDF the spider would read: the first PDF of kind report on the page.
    missing = con.execute(
        f"""
        WITH texts AS ({texts}),
        report_pdfs AS (
            SELECT report_url, arg_min(document_url, position) AS document_url
            FROM raw.judiciary_pfd__documents
            WHERE kind = 'report' AND is_current AND lower(document_url) LIKE '%.pdf'
            GROUP BY report_url
        ),
        failures AS (
            SELECT url, count(DISTINCT run_id) AS runs FROM raw.crawl_errors
            WHERE spider = 'judiciary_pfd' AND stage = 'report_pdf' GROUP BY url
        )
        SELECT p.report_url, p.document_url
        FROM report_pdfs p
        JOIN raw.judiciary_pfd__reports r USING (report_url)
        LEFT JOIN texts t USING (report_url)
        LEFT JOIN failures f ON f.url = p.document_url
        WHERE (t.report_url IS NULL OR (t.text_source = 'pdf' AND t.document_url <> p.document_url))
          AND coalesce(f.runs, 0) < ?
        ORDER BY coalesce(try_cast(left(r.date_added_raw, 10) AS DATE), r.first_seen_on) DESC,
                 p.report_url
        """,  # noqa: S608 - our own SQL, no scraped text
        [MAX_PDF_FAILURES],
    ).fetchall()
    listed = con.execute(
        """
        SELECT report_url, listing_page FROM raw.judiciary_pfd__reports
        WHERE listing_page IS NOT NULL ORDER BY listing_page, report_url
        """
    ).fetchall()
    return {
        "known": known,
        "missing": [{"url": url, "document_url": document_url} for url, document_url in missing],
        "listed": [{"url": url, "listing_page": int(page)} for url, page in listed],
    }
