"""The saved snapshot_* fixtures are what the renderer produces today."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.snapshot.fixtures import fixture_pages

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "judiciary_pfd"


@pytest.mark.parametrize("name", sorted(fixture_pages()))
def test_saved_fixture_matches_the_renderer(name):
    saved = FIXTURES / name
    assert saved.exists(), f"run: .venv/bin/pfdw snapshot fixtures ({name})"
    assert saved.read_text(encoding="utf-8") == fixture_pages()[name], (
        f"{name} is stale; run: .venv/bin/pfdw snapshot fixtures"
    )


def test_fixtures_cover_the_page_shapes():
    pages = fixture_pages()
    assert '<div class="card card--pfd">' in pages["snapshot_listing_page_2.html"]
    assert '<a class="govuk-button"' in pages["snapshot_report_label_variants.html"]
    assert " :" in pages["snapshot_report_label_variants.html"]
    assert "<time" not in pages["snapshot_report_undated_removed.html"]
    assert '<section class="pfd-report">' in pages["snapshot_report_layout_2025_08.html"]
    assert "legacy category post" in pages["snapshot_legacy_post.html"]
    table = pages["snapshot_report_text_table.html"]
    assert '<tbody class="govuk-table__body">' in table and "<p><strong>" not in table
    strong = pages["snapshot_report_text_strong.html"]
    assert "<p><strong>5 CORONER&#x27;S CONCERNS</strong></p>" in strong
    assert "govuk-table" not in strong
    for name in ("snapshot_report_text_table.html", "snapshot_report_text_strong.html"):
        assert "THIS REPORT IS BEING SENT TO:" in pages[name]
    assert "govuk-table" not in pages["snapshot_report_current.html"]  # no text in the data
