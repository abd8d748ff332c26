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
