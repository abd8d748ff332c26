"""The snapshot model: bundled data, listing order, as-of rules, categories and search."""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
from pathlib import Path

import pytest

from scrapers.snapshot import site as site_module
from scrapers.snapshot.site import (
    GENERIC_CATEGORY,
    REMOVED_FROM_SITE_ON,
    REPORT_CATEGORIES,
    DateFilter,
    SnapshotSite,
    UnknownPageError,
    bundled_entries,
    match_categories,
    read_bundled_rows,
    upload_month,
)

from .conftest import AFTER_REMOVALS, EVERYTHING_LISTED_ON

SHARED_CSV = Path(__file__).resolve().parents[3] / ".." / "shared/data/judiciary/pfd_reports.csv"

# The 17 pfd_report_type slugs listed in shared/docs/judiciary-site.md.
DOCUMENTED_SLUGS = {
    "suicide-from-2015",
    "accident-at-work-and-health-and-safety-related-deaths",
    "alcohol-drug-and-medication-related-deaths",
    "care-home-health-related-deaths",
    "child-death-from-2015",
    "community-health-care-and-emergency-services-related-deaths",
    "emergency-services-related-deaths-2019-onwards",
    "hospital-death-clinical-procedures-and-medical-management-related-deaths",
    "mental-health-related-deaths",
    "police-related-deaths",
    "product-related-deaths",
    "railway-related-deaths",
    "road-highways-safety-related-deaths",
    "service-personnel-related-deaths",
    "state-custody-related-deaths",
    "wales-prevention-of-future-deaths-reports-2019-onwards",
    "other-related-deaths",
}


def test_bundled_csv_has_every_row():
    rows = read_bundled_rows()
    assert len(rows) == 6194
    assert sum(row["listed_on_2026_02_01"] == "False" for row in rows) == 47
    assert sum(not row["date_added"] for row in rows) == 45


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared/ data not present")
def test_bundled_csv_is_byte_identical_to_the_shared_copy():
    bundled = gzip.decompress(site_module.DATA_FILE.read_bytes())
    assert bundled == SHARED_CSV.read_bytes()


def test_provenance_credits_sources_and_licences():
    text = (site_module.DATA_FILE.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    for needle in (
        "Open Government Licence v3.0",
        "Crown copyright",
        "Mr-Helpful/preventable-deaths-scraper",
        "georgiarichards/preventabledeathstracker",
        "MIT",
        "stand-in",
    ):
        assert needle in text


def test_listing_is_newest_first_with_csv_order_breaking_ties(site_everything_listed):
    entries = site_everything_listed.listed_entries()
    assert len(entries) == 6194
    keys = [(-entry.effective_date.toordinal(), entry.position) for entry in entries]
    assert keys == sorted(keys)
    rows = read_bundled_rows()
    assert site_everything_listed.listed_report_urls()[0] == rows[0]["report_url"]
    assert all(
        url.startswith("https://www.judiciary.uk/")
        for url in site_everything_listed.listed_report_urls()
    )


def test_reports_added_after_the_as_of_day_are_not_listed():
    as_of = dt.date(2020, 1, 1)
    site = SnapshotSite(as_of)
    listed = site.listed_entries()
    assert listed
    assert all(entry.effective_date <= as_of for entry in listed)
    later = [e for e in bundled_entries() if e.date_added and e.date_added > as_of]
    assert later
    assert not {e.url for e in later} & set(site.listed_report_urls())
    with pytest.raises(UnknownPageError):
        site.report(later[0].url)


def test_removed_pages_are_listed_only_before_2026_02_01():
    removed = {e.url for e in bundled_entries() if not e.listed_on_2026_02_01}
    assert len(removed) == 47
    before = set(SnapshotSite(REMOVED_FROM_SITE_ON - dt.timedelta(days=1)).listed_report_urls())
    on_the_day = set(SnapshotSite(REMOVED_FROM_SITE_ON).listed_report_urls())
    assert removed <= before
    assert not removed & on_the_day
    assert len(on_the_day) == 6147


def test_rows_without_date_added_get_a_documented_effective_date(site_everything_listed):
    undated = [e for e in site_everything_listed.listed_entries() if e.date_added is None]
    assert len(undated) == 45
    for entry in undated:
        month = upload_month(entry.row["report_pdf_url"])
        if month is not None:
            assert entry.effective_date == dt.date(month[0], month[1], 1)
    legacy = [e for e in undated if e.is_legacy_post]
    assert len(legacy) == 9
    assert {e.effective_date for e in legacy} == {dt.date(2013, 7, 30)}
    # They sit at the very end of the listing, as in the CSV.
    assert site_everything_listed.listed_entries()[-1].is_legacy_post


def test_legacy_category_posts_are_recognised():
    legacy = [e for e in bundled_entries() if e.is_legacy_post]
    assert {e.slug for e in legacy} == set(site_module.LEGACY_POST_CATEGORY_SLUGS)
    railway = next(e for e in legacy if e.slug == "railwayrelateddeaths")
    assert railway.title == "Railway related deaths"
    assert railway.documents == ()


def _response_in_a_later_month():
    for entry in bundled_entries():
        if entry.date_added is None:
            continue
        for document in entry.documents:
            month = upload_month(document.url)
            if (
                document.kind == "response"
                and month
                and month
                > (
                    entry.date_added.year,
                    entry.date_added.month,
                )
            ):
                return entry, document
    raise AssertionError("the data has responses uploaded after their report's month")


def test_a_response_uploaded_in_a_later_month_is_absent_before_it():
    entry, response = _response_in_a_later_month()
    added = entry.date_added
    end_of_added_month = added.replace(day=calendar.monthrange(added.year, added.month)[1])
    early = SnapshotSite(end_of_added_month)
    assert response.url not in [d.url for d in early.visible_documents(entry.url)]
    day_before = SnapshotSite(response.visible_from - dt.timedelta(days=1))
    assert response.url not in [d.url for d in day_before.visible_documents(entry.url)]
    on_the_day = SnapshotSite(response.visible_from)
    assert response.url in [d.url for d in on_the_day.visible_documents(entry.url)]
    year, month = upload_month(response.url)
    assert (response.visible_from.year, response.visible_from.month) == (year, month)


def test_responses_are_never_visible_before_the_report_and_report_pdf_is_visible_from_added():
    for entry in bundled_entries():
        for document in entry.documents:
            assert document.visible_from >= entry.effective_date
            if document.kind in ("report", "report_page") or "/JCO/Documents/" in document.url:
                assert document.visible_from == entry.effective_date


def test_response_days_are_deterministic_and_spread_over_the_month():
    days = {
        d.visible_from.day
        for e in bundled_entries()
        for d in e.documents
        if d.kind == "response" and e.effective_date < d.visible_from.replace(day=1)
    }
    assert len(days) > 20  # spread, not always the 1st
    again = site_module.build_entries(read_bundled_rows())
    assert [e.documents for e in again[:500]] == [e.documents for e in bundled_entries()[:500]]


def test_links_to_other_report_pages_come_after_documents():
    with_page_links = [
        e for e in bundled_entries() if any(d.kind == "report_page" for d in e.documents)
    ]
    assert with_page_links
    for entry in with_page_links:
        kinds = [d.kind for d in entry.documents]
        assert kinds == sorted(kinds, key=["report", "response", "report_page"].index)
    preview = [d for e in with_page_links for d in e.documents if "?preview_id=" in d.url]
    assert preview


def test_category_table_has_the_17_documented_slugs_and_the_generic_tag():
    slugs = [c.slug for c in REPORT_CATEGORIES]
    assert len(slugs) == len(set(slugs)) == 18
    assert set(slugs) == DOCUMENTED_SLUGS | {GENERIC_CATEGORY.slug}


def test_every_category_text_in_the_data_maps_to_categories():
    for entry in bundled_entries():
        assert entry.categories, entry.url
        assert entry.unmatched_category_text == (), entry.url


@pytest.mark.parametrize(
    ("text", "slugs"),
    [
        ("Suicide (from 2015)", ["suicide-from-2015"]),
        (
            "Prevention of Future Deaths | Railway related deaths | Suicide (from 2015)",
            ["prevention-of-future-deaths", "railway-related-deaths", "suicide-from-2015"],
        ),
        ("Suicide; Other related deaths", ["suicide-from-2015", "other-related-deaths"]),
        (
            "Hospital Death (Clinical Procedures and medical management) related deaths "
            "Community health care",
            [
                "hospital-death-clinical-procedures-and-medical-management-related-deaths",
                "community-health-care-and-emergency-services-related-deaths",
            ],
        ),
        ("Emergency Services related deaths", ["emergency-services-related-deaths-2019-onwards"]),
    ],
)
def test_category_text_variants(text, slugs):
    categories, unmatched = match_categories(text)
    assert [c.slug for c in categories] == slugs
    assert unmatched == ()


def test_unknown_category_text_is_reported_not_guessed():
    categories, unmatched = match_categories("Railway related deaths | Spaceflight")
    assert [c.slug for c in categories] == ["railway-related-deaths"]
    assert unmatched == ("spaceflight",)


def test_category_membership(site_after_removals):
    railway = site_after_removals.category_entries("railway-related-deaths")
    assert railway
    assert all(any(c.slug == "railway-related-deaths" for c in e.categories) for e in railway)
    with pytest.raises(UnknownPageError):
        site_after_removals.category_entries("no-such-type")


def test_keyword_search_is_case_insensitive_over_title_and_header(site_after_removals):
    results = site_after_removals.search("katie MADDEN")
    assert [e.row["ref"].strip() for e in results] == ["2024-0295"]
    by_area = site_after_removals.search("suffolk")
    assert any("Suffolk" in e.row["coroner_area"] for e in by_area)
    assert site_after_removals.search("zzzz-not-there") == []


def test_search_date_filters_are_inclusive_and_skip_undated_rows(site_everything_listed):
    day = site_everything_listed.listed_entries()[100].date_added
    results = site_everything_listed.search("", added=DateFilter(after=day, before=day))
    assert results
    assert {e.date_added for e in results} == {day}
    everything = site_everything_listed.search("", added=DateFilter(after=dt.date(2000, 1, 1)))
    assert len(everything) == 6194 - 45


def test_report_and_visible_documents_ground_truth(site_after_removals):
    url = site_after_removals.listed_report_urls()[0]
    row = site_after_removals.report(url)
    assert row["report_url"] == url
    documents = site_after_removals.visible_documents(url)
    assert [d.url for d in documents][:1] == [row["report_pdf_url"]] or not row["report_pdf_url"]


def test_ground_truth_accepts_served_urls_and_paths(site_after_removals):
    url = site_after_removals.listed_report_urls()[3]
    path = url.removeprefix("https://www.judiciary.uk")
    served = "http://127.0.0.1:8765" + path
    assert site_after_removals.report(served) == site_after_removals.report(url)
    assert site_after_removals.visible_documents(path) == site_after_removals.visible_documents(url)
    with pytest.raises(UnknownPageError, match="not a report page listed on 2026-03-01"):
        site_after_removals.report("https://www.judiciary.uk/prevention-of-future-death-reports/x/")


def test_as_of_must_be_a_date():
    with pytest.raises(TypeError, match="as_of must be a datetime.date"):
        SnapshotSite("2024-01-01")  # type: ignore[arg-type]


def test_as_of_defaults_to_today():
    assert SnapshotSite().as_of == dt.date.today()


def test_everything_listed_fixture_day_is_before_removals():
    assert EVERYTHING_LISTED_ON < REMOVED_FROM_SITE_ON <= AFTER_REMOVALS
