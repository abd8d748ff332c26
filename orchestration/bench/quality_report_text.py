"""Figures about the report's own words and what they change, printed by `make quality`
(`pfdw quality`) for a built warehouse:

- report text read: reports with text, by source (page or PDF) and status, and the addressee
  block parsed where the bundled texts have one (scrapers/snapshot/data/report_texts.csv.gz);
- recipients by source (header, report_text, response_document) and what became of the reports
  whose page header names no one;
- header/text agreement: where both the header and the report's addressee block exist, whether
  every organisation the header names is also in the block (the header is what the warehouse
  uses; disagreements are counted, never "corrected");
- statuses by capture kind, so "overdue" can be told from "not captured".

Everything is read from the warehouse's marts; nothing is asserted here (tests do that).
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path

import duckdb

from orchestration.bench.formatting import share

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUNDLED_TEXTS = PROJECT_ROOT / "scrapers" / "snapshot" / "data" / "report_texts.csv.gz"

TEXT_BY_SOURCE = """
    select text_source, text_status, count(*)
    from staging.stg_judiciary_pfd__report_texts
    group by all
    order by all
"""

RECIPIENTS_BY_SOURCE = """
    select coalesce(recipient_source, '(none)'), count(*), count(distinct report_url)
    from main.fct_report_recipients
    group by all
    order by all
"""

# Reports whose page header names no one: where their recipients came from now.
HEADERLESS_OUTCOME = """
    select
        count(*) as headerless,
        count(*) filter (where fct_reports.recipient_source = 'report_text') as from_text,
        count(*) filter (where fct_reports.recipient_source = 'response_document') as from_answers,
        count(*) filter (where fct_reports.recipient_count = 0) as still_none,
        count(*) filter (where fct_reports.recipient_count = 0 and fct_reports.has_report_text)
            as still_none_with_text,
        count(*) filter (where fct_reports.recipient_count = 0 and fct_reports.response_count > 0)
            as still_none_with_answers
    from main.fct_reports
    inner join staging.stg_judiciary_pfd__reports as reports using (report_url)
    where reports.sent_to_text is null
"""

# Where header and addressee block both exist: does the block name each header organisation
# (its canonical name, or the header's own words for it, compared by organisation name key)?
HEADER_TEXT_AGREEMENT = """
    with with_both as (
        select texts.report_url, main.org_name_key(texts.sent_to_in_report_text) as block_key
        from staging.stg_judiciary_pfd__report_texts as texts
        inner join staging.stg_judiciary_pfd__reports as reports using (report_url)
        where texts.sent_to_in_report_text is not null and reports.sent_to_text is not null
    ),
    header_organisations as (
        select
            with_both.report_url,
            recipients.organisation_key,
            contains(with_both.block_key, main.org_name_key(recipients.organisation_name))
            or contains(with_both.block_key, main.org_name_key(recipients.recipient_raw))
                as is_in_block
        from with_both
        inner join main.fct_report_recipients as recipients using (report_url)
        where recipients.recipient_source = 'header'
    ),
    per_report as (
        select report_url, bool_and(is_in_block) as agrees
        from header_organisations
        group by report_url
    )
    select
        (select count(*) from with_both) as reports_with_both,
        count(*) filter (where agrees) as agree,
        count(*) filter (where not agrees) as disagree
    from per_report
"""

STATUS_BY_CAPTURE = """
    select capture_kind, response_status, count(*)
    from main.fct_report_recipients
    group by all
    order by all
"""


def _normalised(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def addressee_block_parsed(connection: duckdb.DuckDBPyConnection, texts_file: Path) -> tuple:
    """(parsed, with a block in the bundled texts and read by the crawl): a block counts as
    parsed when the crawl's text has an addressee block whose words contain the bundled one's
    first 30 characters (whitespace and case aside)."""
    if not texts_file.exists():
        return 0, 0
    with gzip.open(texts_file, "rb") as handle:
        rows = list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8", newline="")))
    expected = {
        row["report_url"]: _normalised(row["sent_to_in_report"])
        for row in rows
        if row["sent_to_in_report"].strip()
    }
    read = dict(
        connection.execute(
            "select report_url, sent_to_in_report_text "
            "from staging.stg_judiciary_pfd__report_texts where has_report_text"
        ).fetchall()
    )
    considered = [url for url in expected if url in read]
    parsed = sum(1 for url in considered if expected[url][:30] in _normalised(read[url]))
    return parsed, len(considered)


def measure(path: Path, texts_file: Path = BUNDLED_TEXTS) -> dict:
    with duckdb.connect(str(path), read_only=True) as connection:
        return {
            "text_by_source": connection.execute(TEXT_BY_SOURCE).fetchall(),
            "addressee_block": addressee_block_parsed(connection, texts_file),
            "recipients_by_source": connection.execute(RECIPIENTS_BY_SOURCE).fetchall(),
            "headerless": connection.execute(HEADERLESS_OUTCOME).fetchone(),
            "agreement": connection.execute(HEADER_TEXT_AGREEMENT).fetchone(),
            "status_by_capture": connection.execute(STATUS_BY_CAPTURE).fetchall(),
        }


def print_report_text(figures: dict, out=sys.stdout) -> None:
    print("Report text (the report's own words)", file=out)
    for source, status, count in figures["text_by_source"]:
        print(f"  {count:>6,}  read from {source}: {status}", file=out)
    parsed, considered = figures["addressee_block"]
    print(f"  addressee block parsed {share(parsed, considered)}   target >= 95%", file=out)
    print("Recipients by source (report x organisation rows, reports)", file=out)
    for source, rows, reports in figures["recipients_by_source"]:
        print(f"  {rows:>6,} rows on {reports:>5,} reports  {source}", file=out)
    headerless, from_text, from_answers, still_none, with_text, with_answers = figures["headerless"]
    print(f"Reports whose header names no one: {headerless:,}", file=out)
    print(f"  recipients from the report text   {from_text:>6,}", file=out)
    print(f"  recipients from the answers       {from_answers:>6,}", file=out)
    print(
        f"  still no recipient                {still_none:>6,}"
        f" ({with_text:,} of them with text, {with_answers:,} with response documents)",
        file=out,
    )
    both, agree, disagree = figures["agreement"]
    print(f"Header vs report text, where both name recipients: {both:,} reports", file=out)
    print(f"  every header organisation in the text {share(agree, agree + disagree)}", file=out)
    print(f"  header keeps precedence; disagreements  {disagree:,}", file=out)
    print("Recipient statuses by capture kind", file=out)
    for capture_kind, status, count in figures["status_by_capture"]:
        print(f"  {count:>6,}  {capture_kind:<18} {status}", file=out)
