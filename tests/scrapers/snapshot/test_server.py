"""The snapshot served over HTTP on 127.0.0.1 (each server started here on port 0)."""

from __future__ import annotations

import datetime as dt
import io
import re
import socket
from urllib.parse import urlsplit

import pypdf
import pytest

from scrapers.snapshot.server import FaultConfig, SnapshotConfig, serve_in_background
from scrapers.snapshot.site import CANONICAL_ORIGIN, LISTING_PATH

from .conftest import AFTER_REMOVALS, EVERYTHING_LISTED_ON, fetch

pytestmark = pytest.mark.slow

CARD_LINK = re.compile(r'<a class="card__link" href="([^"]+)">')
FOOTER = '<footer class="site-footer">'


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _max_page_number(page: str) -> int:
    return max(int(n) for n in re.findall(r'class="page-numbers[^"]*"[^>]*>(\d+)<', page))


def test_listing_pages_hold_ten_reports_each_in_order_and_404_past_the_end(snapshot_server):
    first = fetch(snapshot_server.base_url, LISTING_PATH)
    assert first.status == 200
    assert first.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert int(first.headers["Content-Length"]) == len(first.body)
    listed = snapshot_server.site.listed_report_urls()
    last_page = -(-len(listed) // 10)
    assert _max_page_number(first.text) == last_page == 615
    crawled = []
    for number in range(1, last_page + 1):
        page = fetch(snapshot_server.base_url, f"{LISTING_PATH}page/{number}/")
        assert page.status == 200
        links = CARD_LINK.findall(page.text)
        assert len(links) == (10 if number < last_page else len(listed) - 10 * (last_page - 1))
        crawled.extend(links)
    assert [url.replace(snapshot_server.base_url, CANONICAL_ORIGIN) for url in crawled] == listed
    assert fetch(snapshot_server.base_url, f"{LISTING_PATH}page/{last_page + 1}/").status == 404
    assert fetch(snapshot_server.base_url, f"{LISTING_PATH}page/0/").status == 404


def test_urls_in_pages_are_absolute_on_the_served_origin(snapshot_server):
    page = fetch(snapshot_server.base_url, f"{LISTING_PATH}page/3/").text
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert hrefs
    assert all(href.startswith(snapshot_server.base_url + "/") for href in hrefs)
    assert "judiciary.uk" not in "".join(hrefs)


def test_report_page_serves_visible_documents_and_documents_serve_pdfs(snapshot_server):
    site = snapshot_server.site
    url = next(u for u in site.listed_report_urls() if len(site.visible_documents(u)) >= 2)
    page = fetch(snapshot_server.base_url, _path(url))
    assert page.status == 200
    assert page.text.rstrip().endswith("</html>")
    related = re.findall(r'class="related-content__link" href="([^"]+)"', page.text)
    assert len(related) == len(site.visible_documents(url))
    document = fetch(snapshot_server.base_url, _path(related[0]))
    assert document.status == 200
    assert document.headers["Content-Type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(document.body)).pages[0].extract_text()
    assert "stand-in" in text
    assert related[0].replace(snapshot_server.base_url, CANONICAL_ORIGIN) in text


def test_legacy_jco_and_docx_documents_are_served_as_pdf(snapshot_server):
    entries = snapshot_server.site.listed_entries()
    documents = [d for e in entries for d in e.documents if d.kind != "report_page"]
    jco = next(d for d in documents if "/JCO/Documents/" in d.url)
    docx = next(d for d in documents if d.url.endswith(".docx"))
    for document in (jco, docx):
        fetched = fetch(snapshot_server.base_url, document.path)
        assert fetched.status == 200
        assert fetched.body.startswith(b"%PDF-")


def test_unknown_paths_are_404(snapshot_server):
    for target in (
        "/nope",
        f"{LISTING_PATH}no-such-report/",
        "/wp-content/uploads/2024/01/not-a-document.pdf",
        "/pfd-types/no-such-type/",
        "/page/2/",
    ):
        response = fetch(snapshot_server.base_url, target)
        assert response.status == 404, target
        assert FOOTER in response.text


def test_report_url_without_trailing_slash_redirects(snapshot_server):
    url = snapshot_server.site.listed_report_urls()[0]
    response = fetch(snapshot_server.base_url, _path(url).rstrip("/"))
    assert response.status == 301
    assert response.headers["Location"] == url.replace(CANONICAL_ORIGIN, snapshot_server.base_url)


def test_preview_links_to_other_report_pages_resolve(snapshot_server):
    preview = next(
        d
        for e in snapshot_server.site.listed_entries()
        for d in e.documents
        if "?preview_id=" in d.url
    )
    assert fetch(snapshot_server.base_url, _path(preview.url)).status == 200


def test_category_archive_lists_its_members_with_pagination(snapshot_server):
    slug = "railway-related-deaths"
    members = [e.url for e in snapshot_server.site.category_entries(slug)]
    first = fetch(snapshot_server.base_url, f"/pfd-types/{slug}/")
    assert first.status == 200
    pages = _max_page_number(first.text)
    assert pages == -(-len(members) // 10)
    links = CARD_LINK.findall(first.text)
    for number in range(2, pages + 1):
        links += CARD_LINK.findall(
            fetch(snapshot_server.base_url, f"/pfd-types/{slug}/page/{number}/").text
        )
    assert [u.replace(snapshot_server.base_url, CANONICAL_ORIGIN) for u in links] == members
    assert fetch(snapshot_server.base_url, f"/pfd-types/{slug}/page/{pages + 1}/").status == 404


def test_search_by_category_and_keyword_with_date_filters(snapshot_server):
    base = snapshot_server.base_url
    query = "s=&pfd_report_type=railway-related-deaths&post_type=pfd&order=relevance"
    by_type = fetch(base, f"/?{query}")
    assert by_type.status == 200
    expected = snapshot_server.site.category_entries("railway-related-deaths")
    assert CARD_LINK.findall(by_type.text)[:10] == [
        e.url.replace(CANONICAL_ORIGIN, base) for e in expected[:10]
    ]
    assert f'href="{base}/page/2/?s=&amp;pfd_report_type=railway-related-deaths' in by_type.text
    assert fetch(base, f"/page/2/?{query}").status == 200

    dated = fetch(
        base,
        "/?s=inquest&post_type=pfd&after-day=1&after-month=1&after-year=2020"
        "&before-day=31&before-month=12&before-year=2020",
    )
    assert dated.status == 200
    times = re.findall(r'<time datetime="([\d-]+)"', dated.text)
    assert all("2020-01-01" <= day <= "2020-12-31" for day in times)

    keyword = fetch(base, "/?s=Suffolk&post_type=pfd")
    assert keyword.status == 200
    assert CARD_LINK.findall(keyword.text)

    nothing = fetch(base, "/?s=zzzz-not-there&post_type=pfd")
    assert nothing.status == 200
    assert not CARD_LINK.findall(nothing.text)
    assert fetch(base, "/page/2/?s=zzzz-not-there").status == 404


def test_bad_search_dates_are_a_clear_400(snapshot_server):
    response = fetch(snapshot_server.base_url, "/?s=&after-month=13&after-year=2020")
    assert response.status == 400
    assert "after-day/month/year do not form a date" in response.text
    response = fetch(snapshot_server.base_url, "/?s=&before-year=twenty")
    assert response.status == 400
    assert "before-year must be a whole number" in response.text


def test_robots_txt(snapshot_server):
    response = fetch(snapshot_server.base_url, "/robots.txt")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in response.text


def test_hssib_section_is_mounted(snapshot_server):
    listing = fetch(snapshot_server.base_url, "/safety-recommendations-log/")
    assert listing.status == 200
    assert listing.headers["ETag"]
    again = fetch(
        snapshot_server.base_url,
        "/safety-recommendations-log/",
        {"If-None-Match": listing.headers["ETag"]},
    )
    assert again.status == 304
    assert fetch(snapshot_server.base_url, "/safety-recommendations-log/?page=x").status == 400
    assert fetch(snapshot_server.base_url, "/safety-recommendations-log/no-such").status == 404


def test_head_requests_send_headers_only(snapshot_server):
    response = fetch(snapshot_server.base_url, LISTING_PATH, method="HEAD")
    assert response.status == 200
    assert response.body == b""
    assert int(response.headers["Content-Length"]) > 1000


def test_conditional_requests_answer_304(snapshot_server):
    url = snapshot_server.site.listed_report_urls()[5]
    first = fetch(snapshot_server.base_url, _path(url))
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and last_modified
    entry = snapshot_server.site.entry(url)
    assert last_modified.startswith(snapshot_server.site.last_modified(entry).strftime("%a, %d"))
    same = fetch(snapshot_server.base_url, _path(url), {"If-None-Match": etag})
    assert same.status == 304
    assert same.body == b""
    assert same.headers["ETag"] == etag
    changed = fetch(snapshot_server.base_url, _path(url), {"If-None-Match": '"other"'})
    assert changed.status == 200
    since = fetch(snapshot_server.base_url, _path(url), {"If-Modified-Since": last_modified})
    assert since.status == 304
    older = fetch(
        snapshot_server.base_url,
        _path(url),
        {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    )
    assert older.status == 200


def test_an_unchanged_page_keeps_its_etag_across_servers_on_different_ports():
    as_of = dt.date(2020, 1, 1)
    with serve_in_background(SnapshotConfig(as_of=as_of)) as first:
        url = first.site.listed_report_urls()[3]
        before = fetch(first.base_url, _path(url))
        with serve_in_background(SnapshotConfig(as_of=as_of)) as second:
            assert second.base_url != first.base_url
            after = fetch(second.base_url, _path(url), {"If-None-Match": before.headers["ETag"]})
    assert after.status == 304


def test_a_new_response_changes_etag_and_last_modified():
    site_url = None
    with serve_in_background(SnapshotConfig(as_of=dt.date(2020, 1, 1))) as early:
        entry = next(
            e
            for e in early.site.listed_entries()
            if any(d.visible_from > early.site.as_of for d in e.documents)
        )
        site_url = entry.url
        before = fetch(early.base_url, entry.path)
    with serve_in_background(SnapshotConfig(as_of=AFTER_REMOVALS)) as late:
        after = fetch(late.base_url, late.site.entry(site_url).path)
    assert before.headers["ETag"] != after.headers["ETag"]
    assert before.headers["Last-Modified"] != after.headers["Last-Modified"]
    assert after.text.count("related-content__item") > before.text.count("related-content__item")


def test_removed_pages_are_served_only_before_2026_02_01():
    removed_path = f"{LISTING_PATH}peter-ramsden-prevention-of-future-deaths-report/"
    legacy_path = f"{LISTING_PATH}railwayrelateddeaths/"
    with serve_in_background(SnapshotConfig(as_of=EVERYTHING_LISTED_ON)) as before:
        assert fetch(before.base_url, removed_path).status == 200
        legacy = fetch(before.base_url, legacy_path)
        assert legacy.status == 200
        assert '<h1 class="single__title">Railway related deaths</h1>' in legacy.text
        assert 'class="related-content' not in legacy.text
    with serve_in_background(SnapshotConfig(as_of=AFTER_REMOVALS)) as after:
        assert fetch(after.base_url, removed_path).status == 404
        assert fetch(after.base_url, legacy_path).status == 404


def test_drift_layout_changes_report_pages_only():
    with serve_in_background(SnapshotConfig(as_of=AFTER_REMOVALS, layout="2025-08")) as server:
        listing = fetch(server.base_url, LISTING_PATH)
        assert len(CARD_LINK.findall(listing.text)) == 10
        report = fetch(server.base_url, _path(CARD_LINK.findall(listing.text)[0]))
        assert report.status == 200
        assert '<section class="pfd-report">' in report.text
        assert '<div class="flow">' not in report.text


# Faults -----------------------------------------------------------------------------------------


def _report_paths(server, count: int) -> list[str]:
    return [_path(url) for url in server.site.listed_report_urls()[:count]]


def test_faults_are_off_by_default(snapshot_server):
    statuses = {
        fetch(snapshot_server.base_url, p).status for p in _report_paths(snapshot_server, 50)
    }
    assert statuses == {200}
    assert sum(snapshot_server.fault_counts.values()) == 0


def test_error_rate_gives_a_share_of_500s_reproducibly():
    config = SnapshotConfig(as_of=AFTER_REMOVALS, faults=FaultConfig(error_rate=0.3, seed=7))
    runs = []
    for _ in range(2):
        with serve_in_background(config) as server:
            paths = _report_paths(server, 300)
            runs.append([fetch(server.base_url, p).status for p in paths])
            assert server.fault_counts["error"] == runs[-1].count(500)
    statuses = runs[0]
    assert set(statuses) == {200, 500}
    assert 0.2 < statuses.count(500) / len(statuses) < 0.4
    assert runs[0] == runs[1]


def test_transient_errors_clear_on_retry():
    config = SnapshotConfig(as_of=AFTER_REMOVALS, faults=FaultConfig(error_rate=0.5, seed=1))
    with serve_in_background(config) as server:
        for path in _report_paths(server, 20):
            statuses = [fetch(server.base_url, path).status for _ in range(12)]
            assert 200 in statuses


def test_permanently_failing_pages_always_answer_500():
    faults = FaultConfig(permanent_error_rate=0.1, seed=3)
    with serve_in_background(SnapshotConfig(as_of=AFTER_REMOVALS, faults=faults)) as server:
        paths = _report_paths(server, 200)
        failing = [p for p in paths if server.is_permanently_failing(p)]
        healthy = [p for p in paths if not server.is_permanently_failing(p)]
        assert 5 <= len(failing) <= 40
        for path in failing[:5]:
            assert {fetch(server.base_url, path).status for _ in range(4)} == {500}
        for path in healthy[:20]:
            assert fetch(server.base_url, path).status == 200
        assert server.is_permanently_failing(server.base_url + failing[0])


def test_faults_never_touch_robots_or_documents():
    faults = FaultConfig(error_rate=1.0, permanent_error_rate=1.0)
    with serve_in_background(SnapshotConfig(as_of=AFTER_REMOVALS, faults=faults)) as server:
        assert fetch(server.base_url, "/robots.txt").status == 200
        document = server.site.listed_entries()[0].documents[0]
        assert fetch(server.base_url, document.path).status == 200
        assert fetch(server.base_url, "/nope").status == 404
        assert fetch(server.base_url, LISTING_PATH).status == 500
        assert fetch(server.base_url, "/pfd-types/railway-related-deaths/").status == 500


def test_truncated_pages_lack_the_footer_and_have_a_matching_length():
    faults = FaultConfig(truncate_rate=1.0, seed=5)
    with serve_in_background(SnapshotConfig(as_of=AFTER_REMOVALS, faults=faults)) as server:
        for path in [LISTING_PATH, *_report_paths(server, 10)]:
            response = fetch(server.base_url, path)
            assert response.status == 200
            assert int(response.headers["Content-Length"]) == len(response.body)
            assert FOOTER not in response.text
            assert "</html>" not in response.text
            assert response.text.startswith("<!DOCTYPE html>")
            assert response.headers["ETag"] is None
        assert server.fault_counts["truncate"] == 11


def test_timeouts_sleep_past_the_client_timeout():
    faults = FaultConfig(timeout_rate=1.0, timeout_seconds=0.3)
    with serve_in_background(SnapshotConfig(as_of=AFTER_REMOVALS, faults=faults)) as server:
        with pytest.raises(socket.timeout):
            fetch(server.base_url, LISTING_PATH, timeout=0.3)
        # A patient client still gets the page once the sleep is over.
        assert fetch(server.base_url, LISTING_PATH, timeout=10).status == 200
        assert server.fault_counts["timeout"] == 2


def test_slow_responses_arrive_complete():
    faults = FaultConfig(slow_rate=1.0, slow_seconds=0.2)
    with serve_in_background(SnapshotConfig(as_of=AFTER_REMOVALS, faults=faults)) as server:
        response = fetch(server.base_url, LISTING_PATH, timeout=10)
        assert response.status == 200
        assert FOOTER in response.text
        assert server.fault_counts["slow"] == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"error_rate": 1.5}, "error_rate must be a share between 0 and 1"),
        ({"permanent_error_rate": -0.1}, "permanent_error_rate must be a share"),
        ({"timeout_seconds": -1}, "timeout_seconds must be a number of seconds"),
        ({"error_rate": 0.6, "truncate_rate": 0.6}, "must not exceed 1"),
    ],
)
def test_fault_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FaultConfig(**kwargs)


def test_snapshot_config_rejects_unknown_layout_and_bad_port():
    with pytest.raises(ValueError, match="unknown layout 'fancy'"):
        SnapshotConfig(layout="fancy")
    with pytest.raises(ValueError, match="port must be an integer from 0 to 65535"):
        SnapshotConfig(port=70000)
