"""Each replica report page says when and how its stored copy was captured (real rows)."""

from __future__ import annotations

import re

from scrapers.snapshot import render

ORIGIN = "http://127.0.0.1:8000"
BASE = "https://www.judiciary.uk/prevention-of-future-death-reports/"
# from the hand-cleaned table of 2025-07-31: its pages have no document links
NO_LINKS = BASE + "susan-dear-prevention-of-future-deaths-report/"
# from the page scrape of 2024-04-07
SCRAPED_2024 = BASE + "robert-fuller-prevention-of-future-deaths-report/"


def _meta(page: str) -> dict[str, str]:
    return dict(re.findall(r'<meta name="(pfdw:[a-z-]+)" content="([^"]*)">', page))


def _page(site, url: str) -> str:
    entry = site.entry(url)
    return render.render_report(entry, site.visible_documents(url), ORIGIN)


def test_a_page_from_the_cleaned_table_says_it_has_no_document_links(site_everything_listed):
    meta = _meta(_page(site_everything_listed, NO_LINKS))
    assert meta == {"pfdw:capture-kind": "no_document_links", "pfdw:captured-on": "2025-07-31"}
    assert list(site_everything_listed.visible_documents(NO_LINKS)) == []


def test_a_scraped_page_says_the_day_of_its_scrape(site_everything_listed):
    meta = _meta(_page(site_everything_listed, SCRAPED_2024))
    assert meta == {"pfdw:capture-kind": "page_scrape", "pfdw:captured-on": "2024-04-07"}


def test_every_listed_report_page_states_its_capture(site_everything_listed):
    kinds: dict[str, int] = {}
    for entry in site_everything_listed.listed_entries():
        if entry.is_legacy_post:
            continue
        capture = render.capture_of(entry)
        assert capture is not None, entry.url
        kinds[capture[0]] = kinds.get(capture[0], 0) + 1
    assert kinds["no_document_links"] == 447
    assert kinds["page_scrape"] > 5000
