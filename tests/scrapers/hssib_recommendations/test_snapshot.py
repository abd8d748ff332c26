"""The HSSIB snapshot section: bundled data, site model, page shapes and the request handler."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scrapers.snapshot.hssib import handle_request, handles_path, load_site
from scrapers.snapshot.hssib.site import (
    CUT_OFF_NOTICE,
    EXAMPLE_PAGE_FILE,
    RECORDS_FILE,
    HssibSite,
    RecordError,
    example_record,
    load_records,
    record_from_json,
)
from tests.scrapers.hssib_recommendations.support import serve_hssib

SHARED_HSSIB = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "hssib"
SITE = load_site()


def get(path: str, query: dict | None = None, site: HssibSite = SITE):
    answer = handle_request(path, query or {}, site)
    assert answer is not None, f"{path} not handled"
    status, headers, body = answer
    return status, headers, body.decode("utf-8")


# --- bundled data --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["recommendations.jsonl", "example_recommendation_page.txt"])
def test_bundled_copy_is_byte_identical_to_the_shared_file(name):
    shared = SHARED_HSSIB / name
    if not shared.exists():
        pytest.skip("shared data not present")
    bundled = RECORDS_FILE.parent / name
    assert (
        hashlib.sha256(bundled.read_bytes()).digest()
        == hashlib.sha256(shared.read_bytes()).digest()
    )


def test_provenance_note_names_the_bundled_files_hashes():
    note = (RECORDS_FILE.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in (RECORDS_FILE, EXAMPLE_PAGE_FILE):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in note


def test_site_holds_the_42_records_and_the_example_page():
    assert len(load_records()) == 42
    assert len(SITE.records) == 43
    assert SITE.records[-1].source_line == 0
    assert len(SITE.investigations) == 20
    assert sum(1 for record in SITE.records if not record.is_stand_in) == 5


def test_example_page_reads_back_its_text():
    example = example_record()
    assert example.investigation_title == "Mental health inpatient settings"
    assert example.response_received_date == "25 August 2025"
    assert example.recommendation_text.startswith("HSSIB recommends that the Department")
    assert example.response_text.count("\n\n") == 6  # seven paragraphs
    assert len(example.actions) == 4


def test_example_reader_names_the_line_that_breaks_the_layout(tmp_path):
    broken = tmp_path / "page.txt"
    broken.write_text("Title\n\nFrom somewhere else\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"page.txt line 3: expected 'From the investigation"):
        example_record(broken)


def test_bad_record_errors_name_the_line_and_field(tmp_path):
    raw = json.loads(RECORDS_FILE.read_text(encoding="utf-8").splitlines()[0])
    with pytest.raises(RecordError, match=r"line 7: field 'truncated' should be bool"):
        record_from_json({**raw, "truncated": "yes"}, 7)
    with pytest.raises(RecordError, match=r"line 3: missing field 'recipients'"):
        record_from_json({k: v for k, v in raw.items() if k != "recipients"}, 3)
    with pytest.raises(RecordError, match="investigation_slug 'Not A Slug' is not a URL slug"):
        record_from_json({**raw, "investigation_slug": "Not A Slug"}, 1)
    not_json = tmp_path / "r.jsonl"
    not_json.write_text("{}\n{oops\n", encoding="utf-8")
    with pytest.raises(RecordError, match="line 1: missing field"):
        load_records(not_json)


def test_two_records_on_one_page_is_an_error():
    with pytest.raises(RecordError, match="two records would share a page"):
        HssibSite((SITE.records[0], SITE.records[0]))


# --- page shapes from the notes ------------------------------------------------------------------


def test_page_shapes_follow_the_notes():
    shapes = {
        "no header": sum(not r.has_header for r in SITE.records),
        "singular actions heading": sum(
            r.actions_heading.startswith("Action ") for r in SITE.records
        ),
        "recipient heading": sum(bool(r.recipient_heading) for r in SITE.records),
        "links label": sum(r.links_label for r in SITE.records),
        "closure note": sum(bool(r.closure_note) for r in SITE.records),
        "additional section": sum(bool(r.additional_sections) for r in SITE.records),
        "reference in heading": sum(r.reference_in_heading for r in SITE.records),
    }
    assert shapes == {
        "no header": 2,
        "singular actions heading": 1,
        "recipient heading": 2,
        "links label": 1,
        "closure note": 1,
        "additional section": 1,
        "reference in heading": 7,
    }


def test_every_cut_off_record_says_so_once_and_nothing_follows_the_cut_field():
    truncated = [r for r in SITE.records if r.truncated]
    assert len(truncated) == sum(1 for r in load_records() if r.truncated) == 20
    for record in SITE.records:
        _, _, html = get(record.page_path)
        assert html.count(CUT_OFF_NOTICE) == (1 if record.truncated else 0), record.page_path
        if record.cut_off_after == "recommendation":
            after = html.split(CUT_OFF_NOTICE)[1]
            assert "Response:" not in after and "<li>" not in after


def test_stand_in_pages_have_no_canonical_link_and_say_why():
    for record in SITE.records:
        _, _, html = get(record.page_path)
        if record.is_stand_in:
            assert 'rel="canonical"' not in html
            assert "address of this log item on hssib.org.uk is not known" in html
        else:
            assert (
                f'<link rel="canonical" href="https://www.hssib.org.uk{record.page_path}">' in html
            )


def test_record_text_is_escaped():
    record = dataclasses.replace(
        SITE.records[0],
        recommendation_text='HSSIB recommends that <b onclick="x()">NHS England</b> & co.',
        notes="<script>alert(1)</script>",
    )
    site = HssibSite((record,))
    _, _, html = get(record.page_path, site=site)
    assert "<script>" not in html and "<b onclick" not in html
    assert "&lt;b onclick=&quot;x()&quot;&gt;NHS England&lt;/b&gt; &amp; co." in html


# --- handler -------------------------------------------------------------------------------------


def test_other_paths_are_not_handled():
    assert handle_request("/prevention-of-future-death-reports/", {}, SITE) is None
    assert handle_request("/robots.txt", {}, SITE) is None
    assert not handles_path("/")
    assert handles_path("/safety-recommendations-log")


def test_listing_pages_and_their_bounds():
    status, headers, html = get("/safety-recommendations-log/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert html.count('class="log-entry"') == 10 and 'rel="next"' in html
    assert get("/safety-recommendations-log")[0] == 200
    status, _, html = get("/safety-recommendations-log/", {"page": ["5"]})
    assert status == 200 and html.count('class="log-entry"') == 3
    assert 'rel="next"' not in html and 'rel="prev"' in html
    assert get("/safety-recommendations-log/", {"page": "6"})[0] == 404
    status, _, html = get("/safety-recommendations-log/", {"page": ["two"]})
    assert status == 400 and "page must be a whole number from 1, not &#x27;two&#x27;" in html
    assert get("/safety-recommendations-log/", {"page": "0"})[0] == 400


def test_item_and_investigation_pages_and_404s():
    known = next(r for r in SITE.records if not r.is_stand_in)
    assert get(known.page_path)[0] == 200
    assert get(known.page_path + "/")[0] == 200
    assert get("/safety-recommendations-log/no-such-item")[0] == 404
    status, _, html = get("/patient-safety-investigations/healthcare-provision-in-prisons/")
    assert status == 200 and html.count('class="investigation-recommendation"') == 4
    assert get("/patient-safety-investigations/healthcare-provision-in-prisons")[0] == 200
    assert get("/patient-safety-investigations/nothing-here/")[0] == 404


def test_handler_serves_over_http_on_loopback():
    with serve_hssib() as base_url:
        with urllib.request.urlopen(base_url + "/safety-recommendations-log/?page=2") as response:
            assert response.status == 200
            assert b"Page 2 of 5" in response.read()
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(base_url + "/safety-recommendations-log/?page=9")
        assert error.value.code == 404
