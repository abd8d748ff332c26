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


def fixture_pages() -> dict[str, str]:
    """File name -> page text."""
    after = SnapshotSite(AFTER_REMOVALS)
    before = SnapshotSite(BEFORE_REMOVALS)
    current = after.entry(CURRENT_REPORT)
    variant = after.entry(VARIANT_REPORT)
    undated = before.entry(UNDATED_REPORT)
    legacy = before.entry(LEGACY_POST)
    return {
        "snapshot_listing_page_2.html": render.render_listing(
            after.listed_entries(), 2, FIXTURE_ORIGIN
        ),
        "snapshot_report_current.html": render.render_report(
            current, after.visible_documents(current.url), FIXTURE_ORIGIN
        ),
        "snapshot_report_label_variants.html": render.render_report(
            variant, after.visible_documents(variant.url), FIXTURE_ORIGIN
        ),
        "snapshot_report_undated_removed.html": render.render_report(
            undated, before.visible_documents(undated.url), FIXTURE_ORIGIN
        ),
        "snapshot_report_layout_2025_08.html": render.render_report(
            current, after.visible_documents(current.url), FIXTURE_ORIGIN, layout="2025-08"
        ),
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
