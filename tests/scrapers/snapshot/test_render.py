"""Rendered markup: the contract's shapes, escaping, label variants, drift layout.

Inline report text is tested in test_report_text.py, PDFs in test_pdf.py."""

from __future__ import annotations

import html
import re

import pytest

from scrapers.snapshot import render
from scrapers.snapshot.site import (
    CSV_COLUMNS,
    HEADER_FIELDS,
    SnapshotSite,
    build_entries,
)

ORIGIN = "http://127.0.0.1:8765"
HEADER_P = re.compile(r"<p>(?P<label>[^<:]*?)(?P<sep> ?:) (?P<value>.*?)</p>", re.S)
FLOW = re.compile(r'<div class="flow">(?P<flow>.*?)</div>\n  (?:<aside|</div>|$)', re.S)


def _row(**values: str) -> dict[str, str]:
    row = dict.fromkeys(CSV_COLUMNS, "")
    row.update(
        report_url="https://www.judiciary.uk/prevention-of-future-death-reports/test-report/",
        date_added="03/06/2024",
        category="Suicide (from 2015)",
        listed_on_2026_02_01="True",
    )
    row.update(values)
    return row


def _header_values(page: str) -> dict[str, str]:
    """label -> value, the way the spider reads div.flow (<br> back to newlines, unescaped);
    the header ends where the report text (table or <strong> heading) starts."""
    flow = page.split('<div class="flow">', 1)[1].split("</div>", 1)[0]
    flow = re.split(r"<table|<p><strong>", flow, maxsplit=1)[0]
    values = {}
    for match in HEADER_P.finditer(flow):
        value = html.unescape(match.group("value").replace("<br>", "\n"))
        values[html.unescape(match.group("label"))] = value
    return values


def _label_field(label: str) -> str:
    for field, variants in render.LABEL_VARIANTS.items():
        if label in variants:
            return field
    raise AssertionError(f"unexpected label {label!r}")


def test_every_row_round_trips_its_header_values(site_everything_listed):
    """For EVERY row: each non-empty header value appears exactly, under a known label."""
    for entry in site_everything_listed.listed_entries():
        documents = site_everything_listed.visible_documents(entry.url)
        text = site_everything_listed.inline_text(entry)
        page = render.render_report(entry, documents, ORIGIN, text=text)
        assert page.rstrip().endswith("</html>")
        if entry.is_legacy_post:
            assert "<time" not in page
            continue
        shown = {_label_field(label): value for label, value in _header_values(page).items()}
        expected = {field: entry.row[field] for field in HEADER_FIELDS if entry.row[field]}
        assert shown == expected, entry.url
        unescaped = html.unescape(page.replace("<br>", "\n"))
        for value in expected.values():
            assert value in unescaped


def test_hostile_values_are_escaped():
    entries = build_entries(
        [
            _row(
                deceased_name='<script>alert("x")</script>',
                coroner_area="Area & <b>bold</b>",
                sent_to="First\nSecond <img src=x>",
                report_pdf_url='https://www.judiciary.uk/wp-content/uploads/2024/06/a"b<c>.pdf',
            )
        ]
    )
    site = SnapshotSite(entries=entries)
    entry = entries[0]
    page = render.render_report(entry, site.visible_documents(entry.url), ORIGIN)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "<img" not in page
    assert "First<br>Second &lt;img src=x&gt;" in page
    assert 'a"b<c>' not in page
    listing = render.render_listing(site.listed_entries(), 1, ORIGIN)
    assert "<script>" not in listing
    assert "&lt;script&gt;" in listing


def test_empty_fields_have_no_line_and_values_keep_trailing_nbsp():
    entries = build_entries([_row(ref="2024-0001\u00a0", coroner_name="", sent_to="")])
    page = render.render_report(entries[0], [], ORIGIN)
    values = _header_values(page)
    assert "2024-0001\u00a0" in values.values()
    labels = {_label_field(label) for label in values}
    assert "coroner_name" not in labels and "sent_to" not in labels
    assert "ref" in labels


def test_report_page_follows_the_contract(site_after_removals):
    entry = next(
        e
        for e in site_after_removals.listed_entries()
        if e.date_added and len(site_after_removals.visible_documents(e.url)) >= 2
    )
    documents = site_after_removals.visible_documents(entry.url)
    page = render.render_report(entry, documents, ORIGIN)
    assert '<body class="pfd-template-default single single-pfd">' in page
    assert f'<h1 class="single__title">{html.escape(entry.title)}</h1>' in page
    assert '<p class="pill--single"><a class="pill" href="http://127.0.0.1:8765/pfd-types/' in page
    assert f'<time datetime="{entry.date_added.isoformat()}">' in page
    related = re.findall(r'class="related-content__link" href="([^"]+)"', page)
    assert related == [html.escape(render.on_origin(d.url, ORIGIN)) for d in documents]
    assert page.index('<footer class="site-footer">') < page.index("</html>")


def test_download_button_depends_on_when_the_page_was_added(site_after_removals):
    entries = site_after_removals.listed_entries()
    new = next(e for e in entries if e.report_document and e.date_added.year == 2025)
    old = next(
        e for e in entries if e.report_document and e.date_added and e.date_added.year == 2019
    )
    new_page = render.render_report(new, site_after_removals.visible_documents(new.url), ORIGIN)
    old_page = render.render_report(old, site_after_removals.visible_documents(old.url), ORIGIN)
    assert 'class="wp-block-file__button" download>Download</a>' in new_page
    assert 'class="govuk-button"' not in new_page
    assert '<a class="govuk-button" href="' in old_page


def test_a_share_of_pages_use_label_variants(site_everything_listed):
    entries = [e for e in site_everything_listed.listed_entries() if not e.is_legacy_post]
    labels_seen = set()
    pages_with_variants = 0
    space_before_colon = 0
    for entry in entries:
        page = render.render_report(entry, [], ORIGIN)
        labels = _header_values(page)
        labels_seen.update(labels)
        if any(label not in render.CANONICAL_LABELS.values() for label in labels):
            pages_with_variants += 1
        space_before_colon += page.count(" : ")
    assert 0.1 * len(entries) < pages_with_variants < 0.3 * len(entries)
    every_variant = {label for variants in render.LABEL_VARIANTS.values() for label in variants}
    assert labels_seen == every_variant
    assert space_before_colon > 0


def test_undated_rows_render_no_time_element(site_everything_listed):
    undated = [e for e in site_everything_listed.listed_entries() if e.date_added is None]
    assert undated
    for entry in undated:
        assert "<time" not in render.render_report(entry, [], ORIGIN)
    listing = render.render_listing(undated, 1, ORIGIN)
    assert listing.count('<p class="card__meta"></p>') == 10


def test_legacy_post_has_title_and_paragraph_but_no_labels_or_documents(site_everything_listed):
    entry = site_everything_listed.entry(
        "https://www.judiciary.uk/prevention-of-future-death-reports/railwayrelateddeaths/"
    )
    page = render.render_report(entry, [], ORIGIN)
    assert '<h1 class="single__title">Railway related deaths</h1>' in page
    assert "legacy category post" in page
    assert "related-content" not in page and "wp-block-file" not in page
    assert "Ref:" not in page and "Date of report" not in page


def test_drift_layout_replaces_flow_and_related_list(site_after_removals):
    entry = next(e for e in site_after_removals.listed_entries() if e.documents)
    documents = site_after_removals.visible_documents(entry.url)
    page = render.render_report(entry, documents, ORIGIN, layout="2025-08")
    assert '<div class="flow">' not in page
    assert "related-content" not in page
    assert '<section class="pfd-report"><div class="pfd-report__meta"><dl>' in page
    assert "<dt>Date of report</dt><dd>" in page
    assert '<a class="pfd-document" href="http://127.0.0.1:8765/wp-content/uploads/' in page
    assert page.rstrip().endswith("</html>")


def test_unknown_layout_is_rejected(site_after_removals):
    entry = site_after_removals.listed_entries()[0]
    with pytest.raises(ValueError, match="unknown layout '2019'"):
        render.render_report(entry, [], ORIGIN, layout="2019")


@pytest.mark.parametrize(
    ("current", "total", "expected"),
    [
        (2, 615, [1, 2, 3, None, 615]),
        (1, 615, [1, 2, None, 615]),
        (300, 615, [1, None, 299, 300, 301, None, 615]),
        (615, 615, [1, None, 614, 615]),
        (3, 4, [1, 2, 3, 4]),
    ],
)
def test_page_numbers_follow_wordpress(current, total, expected):
    assert render.page_numbers_to_show(current, total) == expected


def test_listing_page_has_ten_cards_and_page_count(site_after_removals):
    entries = site_after_removals.listed_entries()
    page = render.render_listing(entries, 2, ORIGIN)
    assert page.count('<div class="card card--pfd">') == 10
    assert "Page 2 of 615" in page
    numbers = [int(n) for n in re.findall(r'class="page-numbers[^"]*"[^>]*>(\d+)<', page)]
    assert max(numbers) == 615
    assert render.render_listing(entries, 616, ORIGIN) is None
    assert render.render_listing(entries, 0, ORIGIN) is None


def test_robots_txt_allows_the_pfd_section():
    robots = render.render_robots(ORIGIN)
    assert robots.startswith("User-agent: *\n")
    assert "Disallow: /wp-admin/" in robots
    assert "prevention-of-future-death-reports" not in robots
