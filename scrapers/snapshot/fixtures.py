"""Save a few snapshot pages as test fixtures (``tests/fixtures/judiciary_pfd/snapshot_*.html``).

    .venv/bin/pfdw snapshot fixtures [--out tests/fixtures/judiciary_pfd]

The pages are rendered exactly as the server serves them on ``FIXTURE_ORIGIN``; a test checks
that the saved files still match the renderer, so rerun this after changing the markup.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from scrapers.snapshot import render
from scrapers.snapshot.site import SnapshotSite

FIXTURE_ORIGIN = "http://127.0.0.1:8765"
AFTER_REMOVALS = dt.date(2026, 3, 1)
BEFORE_REMOVALS = dt.date(2026, 1, 31)
# 2019: govuk-button, responses, label variants and a space before a colon.
VARIANT_REPORT = "https://www.judiciary.uk/prevention-of-future-death-reports/costel-stancu/"
# Removed by 2026-02-01 and with no date added: no <time> element.
UNDATED_REPORT = "https://www.judiciary.uk/prevention-of-future-death-reports/sadie-peters/"
CURRENT_REPORT = (
    "https://www.judiciary.uk/prevention-of-future-death-reports/"
    "katie-overd-prevention-of-future-deaths-report/"
)
LEGACY_POST = "https://www.judiciary.uk/prevention-of-future-death-reports/railwayrelateddeaths/"
# Report text inline, with an addressee block: as table rows, and as <strong> headings.
TEXT_TABLE_REPORT = (
    "https://www.judiciary.uk/prevention-of-future-death-reports/"
    "geoffery-hoad-prevention-of-future-deaths-report/"
)
TEXT_STRONG_REPORT = (
    "https://www.judiciary.uk/prevention-of-future-death-reports/"
    "brian-chapman-prevention-of-future-deaths-report/"
)


def fixture_pages() -> dict[str, str]:
    """File name -> page text."""
    after = SnapshotSite(AFTER_REMOVALS)
    before = SnapshotSite(BEFORE_REMOVALS)
    legacy = before.entry(LEGACY_POST)

    def report_page(site: SnapshotSite, url: str, layout: str = "current") -> str:
        entry = site.entry(url)
        documents = site.visible_documents(url)
        text = site.inline_text(entry)
        return render.render_report(entry, documents, FIXTURE_ORIGIN, layout, text=text)

    return {
        "snapshot_listing_page_2.html": render.render_listing(
            after.listed_entries(), 2, FIXTURE_ORIGIN
        ),
        "snapshot_report_current.html": report_page(after, CURRENT_REPORT),
        "snapshot_report_label_variants.html": report_page(after, VARIANT_REPORT),
        "snapshot_report_undated_removed.html": report_page(before, UNDATED_REPORT),
        "snapshot_report_layout_2025_08.html": report_page(after, CURRENT_REPORT, "2025-08"),
        "snapshot_report_text_table.html": report_page(after, TEXT_TABLE_REPORT),
        "snapshot_report_text_strong.html": report_page(after, TEXT_STRONG_REPORT),
        "snapshot_legacy_post.html": render.render_report(legacy, [], FIXTURE_ORIGIN),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pfdw snapshot fixtures")
    parser.add_argument("--out", type=Path, default=Path("tests/fixtures/judiciary_pfd"))
    args = parser.parse_args(argv)
    if not args.out.is_dir():
        parser.error(f"--out {args.out}: not a folder")
    for name, text in fixture_pages().items():
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"wrote {args.out / name}")
    return 0
