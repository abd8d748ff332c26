"""Offline tests of scrapers.judiciary_pfd.parsing against saved judiciary.uk pages and small
HTML snippets."""

from __future__ import annotations

import pytest

from scrapers.judiciary_pfd import parsing
from scrapers.judiciary_pfd.selectors import HEADER_LABELS
from tests.scrapers.judiciary_pfd.support import (
    CANONICAL,
    FIXTURE_ORIGIN,
    fixture_text,
    report_url,
)

COMPLETE_TAIL = '<footer class="site-footer">...</footer></body></html>'


def page_with_flow(*paragraphs: str, extra: str = "") -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        "<!DOCTYPE html><html><body><main><article><header class='single__header'>"
        "<h1 class='single__title'>T</h1><time datetime='2024-06-03'>3 June 2024</time></header>"
        f"<div class='flow'>{body}{extra}</div></article></main>{COMPLETE_TAIL}"
    )


def parse(html: str, slug: str = "some-report") -> dict:
    return parsing.parse_report_page(html, report_url(slug))


# --- the current layout ----------------------------------------------------------------------


def test_current_layout_report_page_is_parsed_completely_and_canonically():
    parsed = parse(fixture_text("report_current.html"), "katie-madden")

    assert parsed["url"] == f"{CANONICAL}/prevention-of-future-death-reports/katie-madden/"
    assert parsed["page_title"] == "Katie Madden: Prevention of future deaths report"
    assert (parsed["date_added_raw"], parsed["date_added_text"]) == ("2024-06-03", "3 June 2024")
    assert parsed["header"] == {
        "date_of_report": "30/05/2024",
        "ref": "2024-0295",
        "deceased_name": "Katie Madden",
        "coroner_name": "Nigel Parsley",
        "coroner_area": "Suffolk",
        "category": "Suicide (from 2015)",
        "sent_to": (
            "Department of Health and Social Care | Norfolk and Suffolk NHS Foundation Trust"
        ),
    }
    assert parsed["header_labels"]["sent_to"] == "This report is being sent to"
    assert parsed["category_pills"] == [
        {
            "text": "Suicide (from 2015)",
            "href": f"{CANONICAL}/pfd-types/suicide-from-2015/",
            "slug": "suicide-from-2015",
        },
        {
            "text": "Prevention of Future Deaths",
            "href": f"{CANONICAL}/pfd-types/prevention-of-future-deaths/",
            "slug": "prevention-of-future-deaths",
        },
    ]
    assert parsed["report_sections"] == []
    assert parsed["parse_warnings"] == []
    assert parsed["is_empty"] is False


def test_documents_are_deduplicated_classified_and_canonical():
    documents = parse(fixture_text("report_current.html"))["documents"]

    report_pdf = "Katie-Madden-Prevention-of-future-deaths-report-2024-0295_Published.pdf"
    assert documents == [
        {
            "url": f"{CANONICAL}/wp-content/uploads/2024/06/{report_pdf}",
            "link_text": "Download",
            "file_name": report_pdf,
            "upload_year": 2024,
            "upload_month": 6,
            "kind": "report",
            "position": 1,
            "source": "file_button",
        },
        {
            "url": f"{CANONICAL}/wp-content/uploads/2024/08/"
            "2024-0295-Response-from-Suffolk-County-Council.pdf",
            "link_text": "2024 0295 Response from Suffolk County Council",
            "file_name": "2024-0295-Response-from-Suffolk-County-Council.pdf",
            "upload_year": 2024,
            "upload_month": 8,
            "kind": "response",
            "position": 2,
            "source": "related",
        },
        {
            "url": f"{CANONICAL}/prevention-of-future-death-reports/"
            "another-report-prevention-of-future-deaths-report/",
            "link_text": "Another report",
            "file_name": "another-report-prevention-of-future-deaths-report",
            "upload_year": None,
            "upload_month": None,
            "kind": "other",
            "position": 3,
            "source": "related",
        },
    ]


# --- older layout, label variants and messy values ---------------------------------------------


def test_govuk_button_page_keeps_messy_values_verbatim():
    parsed = parse(fixture_text("report_govuk_button_messy.html"))

    assert parsed["header"] == {
        # A trailing non-breaking space is data; only ASCII whitespace is stripped.
        "date_of_report": "15 August2016\u00a0",
        "ref": "2016 – 0396",
        "deceased_name": "Gloria Simon (1)",
        "coroner_name": "Sarah-Jane Richards Coroner Area: South Wales Central",
        "coroner_area": ": London Inner (West)",
        "category": "Suicide (from 2015) | Child Death (from 2015); Mental Health related deaths",
        "sent_to": "[REDACTED], Chief Executive NHS England\n"
        "Secretary of State for Health | REDACTED\n"
        "Herefordshire and Worcestershire Health and Care NHS Trust",
    }
    assert parsed["header_labels"] == {
        "date_of_report": "DATE OF REPORTS",
        "ref": "Ref",
        "deceased_name": "Deceased’s name",
        "coroner_name": "coroner’s NAME",
        "coroner_area": "Coroners Area",
        "category": "Category",
        "sent_to": "These reports have been sent to",
    }
    assert parsed["parse_warnings"] == []
    kinds = [(doc["file_name"], doc["kind"], doc["source"]) for doc in parsed["documents"]]
    assert kinds == [
        ("Simon-2016-0396_Redacted.pdf", "report", "file_button"),
        ("2016-0396-Response-by-NHS-England.pdf", "response", "related"),
        ("ROBEY-Responses.pdf", "response", "related"),
    ]


@pytest.mark.parametrize(
    ("field", "label"),
    [(field, label) for field, labels in HEADER_LABELS.items() for label in labels],
)
def test_every_label_variant_is_recognised(field, label):
    assert parsing.match_header_line(f"{label}: value") == (field, label, "value")


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("DECEASED'S NAME: X", "deceased_name", "X"),
        ("Deceased’s name: X", "deceased_name", "X"),
        ("coroner’s area : Suffolk", "coroner_area", "Suffolk"),
        ("Coroner's Name :X", "coroner_name", "X"),
        ("  Date of reports:  01/07/22 ", "date_of_report", "01/07/22"),
        ("Date of report: 08 /03/2024", "date_of_report", "08 /03/2024"),
        ("Date of report: 9 August", "date_of_report", "9 August"),
        ("Date of report: 17/20/2022", "date_of_report", "17/20/2022"),
        ("Date of report: 14 December  2016", "date_of_report", "14 December  2016"),
        (
            "THIS REPORT WAS BEING SENT TO: Various recipients – please see the report.",
            "sent_to",
            "Various recipients – please see the report.",
        ),
        ("Deceased name: Air India Boeing 787", "deceased_name", "Air India Boeing 787"),
        ("Ref: 2016 – 0396\u00a0", "ref", "2016 – 0396\u00a0"),
    ],
)
def test_label_matching_is_forgiving_but_values_are_verbatim(line, field, value):
    assert parsing.match_header_line(line)[::2] == (field, value)


def test_date_of_reports_is_not_read_as_date_of_report():
    assert parsing.match_header_line("Date of reports: 1/1/2020") == (
        "date_of_report",
        "Date of reports",
        "1/1/2020",
    )


@pytest.mark.parametrize("line", ["Reporting officer: X", "Coroner: X", "Date: 1/1/2020", ""])
def test_lines_without_a_known_label_are_not_header_fields(line):
    assert parsing.match_header_line(line) is None


def test_missing_labels_are_warned_and_none():
    parsed = parse(page_with_flow("Ref: 2020-0001", "Deceased name: REDACTED"))

    assert parsed["header"]["ref"] == "2020-0001"
    assert parsed["header"]["deceased_name"] == "REDACTED"
    assert parsed["header"]["sent_to"] is None
    assert parsed["parse_warnings"] == [
        "missing label: date_of_report",
        "missing label: coroner_name",
        "missing label: coroner_area",
        "missing label: category",
        "missing label: sent_to",
    ]


def test_a_whole_header_glued_into_the_date_stays_in_the_date_field():
    glued = (
        "4 December 2013 Ref: 2013-0324 Deceased name: Archibold Wellbelove "
        "Coroners name: R Brittain Coroners Area: Warwickshire"
    )
    parsed = parse(page_with_flow(f"Date of report: {glued}"))

    assert parsed["header"]["date_of_report"] == glued
    assert parsed["header"]["ref"] is None
    assert "missing label: ref" in parsed["parse_warnings"]


def test_a_value_with_a_later_label_on_a_new_line_is_kept_whole():
    # Real data: an area value that swallowed the category and recipients lines.
    value = "West London<br>\u00a0<br>Category: Child Death (from 2015)"
    parsed = parse(page_with_flow(f"Coroner Area: {value}", "Category: Child Death (from 2015)"))

    assert (
        parsed["header"]["coroner_area"] == "West London\n\u00a0\nCategory: Child Death (from 2015)"
    )
    assert parsed["header"]["category"] == "Child Death (from 2015)"


def test_html_entities_are_unescaped_and_inner_tags_dropped():
    parsed = parse(
        page_with_flow("<strong>Coroner Area:</strong> Portsmouth &amp; South East Hanpshire")
    )

    assert parsed["header"]["coroner_area"] == "Portsmouth & South East Hanpshire"
    assert parsed["header_labels"]["coroner_area"] == "Coroner Area"


def test_duplicate_labels_keep_the_first_value_and_warn():
    parsed = parse(page_with_flow("Ref: 2020-0001", "Ref: 2020-0002"))

    assert parsed["header"]["ref"] == "2020-0001"
    assert "duplicate label: ref" in parsed["parse_warnings"]


@pytest.mark.parametrize(
    ("datetime_attr", "warning"),
    [
        ("2024-06-03", None),
        ("2023-05-12T09:30:00+01:00", None),
        ("03/06/2024", "unparseable date_added: 03/06/2024"),
        ("2024-13-45", "unparseable date_added: 2024-13-45"),
    ],
)
def test_date_added_must_be_an_iso_date(datetime_attr, warning):
    html = page_with_flow("Ref: 1").replace("2024-06-03", datetime_attr)
    parsed = parse(html)

    assert parsed["date_added_raw"] == datetime_attr
    unparseable = [w for w in parsed["parse_warnings"] if w.startswith("unparseable")]
    assert unparseable == ([warning] if warning else [])


# --- inline report text and the GOV.UK table -------------------------------------------------


def test_inline_report_text_is_split_into_numbered_sections():
    parsed = parse(fixture_text("report_inline_sections.html"))

    sections = parsed["report_sections"]
    assert [(s["number"], s["heading"]) for s in sections] == [
        ("1", "CORONER"),
        ("2", "CORONER’S LEGAL POWERS"),
        ("3", "INVESTIGATION and INQUEST"),
        ("4", "CIRCUMSTANCES OF THE DEATH"),
        ("5", "CORONER’S CONCERNS"),
        ("6", "ACTION SHOULD BE TAKEN"),
        ("7", "YOUR RESPONSE"),
        ("8", "COPIES and PUBLICATION"),
        ("9", ""),
    ]
    assert sections[0]["text"] == "I am Alison Mutch, Senior Coroner for Manchester South"
    # Numbered concerns inside section 5 are text, not headings.
    assert "1. There was no care plan.\n2. The referral was lost." in sections[4]["text"]
    assert sections[8]["text"] == "02/05/2023\nAlison Mutch\nSenior Coroner"
    # The report's own "THIS REPORT IS BEING SENT TO:" is not a second header line.
    assert parsed["header"]["sent_to"] == "NHS England"
    assert parsed["header_labels"]["sent_to"] == "This report is sent to"
    assert parsed["header"]["coroner_area"] == "Manchester (South"
    assert parsed["header_labels"]["deceased_name"] == "Name of deceased"
    assert parsed["parse_warnings"] == []


def test_split_report_sections_needs_section_one_and_order():
    assert parsing.split_report_sections("Some text\n2 CORONER'S LEGAL POWERS\nx") == []
    sections = parsing.split_report_sections(
        "preamble\n1 CORONER I am X\n2 CORONER'S LEGAL POWERS I make this report\n"
        "4 CIRCUMSTANCES OF THE DEATH\n3 INVESTIGATION and INQUEST\nstuff"
    )
    assert [(s["number"], s["heading"], s["text"]) for s in sections] == [
        ("1", "CORONER", "I am X"),
        ("2", "CORONER'S LEGAL POWERS", "I make this report\n4 CIRCUMSTANCES OF THE DEATH"),
        ("3", "INVESTIGATION and INQUEST", "stuff"),
    ]


def test_header_in_a_govuk_table_is_accepted():
    parsed = parse(fixture_text("report_govuk_table.html"))

    assert parsed["header"] == {
        "date_of_report": "/0206/2023",
        "ref": "2013-0175",
        "deceased_name": "REDACTED",
        "coroner_name": "R Brittain",
        "coroner_area": "Warwickshire",
        "category": "Road (Highways Safety) related deaths",
        "sent_to": "Various recipients – please see the report.",
    }
    assert parsed["header_labels"]["ref"] == "Ref"
    assert parsed["header_labels"]["sent_to"] == "This has been sent to"
    [document] = parsed["documents"]
    assert document["url"] == f"{CANONICAL}/wp-content/uploads/JCO/Documents/Twivey-2013-0175.pdf"
    assert (document["upload_year"], document["upload_month"]) == (None, None)
    assert (document["kind"], document["source"]) == ("report", "file_button")


# --- documents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "kind"),
    [
        ("2024-0295-Response-from-Suffolk-County-Council.pdf", "response"),
        ("2016-0396-Response-by-NHS-England.pdf", "response"),
        ("2019-0135-Response-from-Association-of-Ambulance-.pdf", "response"),
        ("2021-0012-Response-from-NHS-England_Published.pdf", "response"),
        ("2018-0020-Response-by-CQC-Redacted-1.pdf", "response"),
        ("ROBEY-Responses.pdf", "response"),
        ("2023-0032-Respomse-from-Royal-Cornwall-Hospital-.pdf", "response"),
        ("2022-0117-Reponse-from-Tees-Esk-and-Wear-Valleys-NHS-Foundation-Trust.pdf", "response"),
        # Additional report versions sent to other recipients are reports, not responses.
        ("Anthony-Friend-Prevention-of-future-deaths-report-2023-0336b_Published.pdf", "report"),
        ("David-Stacey-Response-from-the-Department-of-Health-and-Social-Care.pdf", "response"),
        ("Heather-Findlay-Prevention-of-future-deaths-report-2023-0193_Published.pdf", "report"),
        ("Twivey-2013-0175.pdf", "report"),
        ("James-2017-0210_Redacted.pdf", "report"),
        ("Olive-Darbyshire.pdf", "report"),
        ("Burke-2014-0074-Revised.pdf", "report"),
        ("Smith-Prevention-of-future-deaths-report-2019-0001.docx", "report"),
        ("another-report-prevention-of-future-deaths-report", "other"),
        ("", "other"),
        # "{ref}-{Organisation}" is a response named after its author ...
        ("2025-0394-Cwn-Taf-Morgannwg-University-Health-Board.pdf", "response"),
        ("2021-0143-Practice-Plus-Group_Published.pdf", "response"),
        ("2020-0255-Letter-from-Metropolitan-Police-Redacted.pdf", "response"),
        # ... unless it says it is a report or an enclosure.
        ("2020-0084-Revised-PFD-report-Redacted.pdf", "report"),
        ("2025-0507-Prevention-of-future-deaths-report_Published.pdf", "report"),
        ("2025-0117-Appendix-1-and-2.pdf", "other"),
        ("2025-0451-Chief-Coroner-letter-to-Department-for-Education.pdf", "other"),
    ],
)
def test_classify_document_by_file_name(file_name, kind):
    assert parsing.classify_document(file_name) == kind


def test_the_download_button_is_the_report_even_when_named_after_a_ref():
    name = "2017-0209-Barbara-Sturgess.pdf"
    assert parsing.classify_document(name) == "response"
    assert parsing.classify_document(name, is_download_button=True) == "report"
    # A response that was put on the button keeps its name's verdict.
    name = "2025-0596-Response-from-Essex-Police.pdf"
    assert parsing.classify_document(name, is_download_button=True) == "response"


def test_links_outside_uploads_are_other_even_when_named_like_files():
    url = "https://www.gov.uk/government/publications/some-guidance-response.pdf"
    assert parsing.classify_document("some-guidance-response.pdf", url) == "other"
    upload = f"{CANONICAL}/wp-content/uploads/2020/01/2020-0001-Response-from-X.pdf"
    assert parsing.classify_document("2020-0001-Response-from-X.pdf", upload) == "response"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{CANONICAL}/wp-content/uploads/2024/06/a.pdf", (2024, 6)),
        (f"{FIXTURE_ORIGIN}/wp-content/uploads/2013/10/a.pdf", (2013, 10)),
        (f"{CANONICAL}/wp-content/uploads/JCO/Documents/a.pdf", (None, None)),
        (f"{CANONICAL}/wp-content/uploads/2024/13/a.pdf", (None, None)),
        (f"{CANONICAL}/prevention-of-future-death-reports/x/", (None, None)),
    ],
)
def test_parse_upload_month(url, expected):
    assert parsing.parse_upload_month(url) == expected


def test_file_names_are_url_decoded():
    url = f"{CANONICAL}/wp-content/uploads/2020/01/Jane%20Doe%E2%80%99s-Response.pdf"
    assert parsing.file_name_from_url(url) == "Jane Doe’s-Response.pdf"


def test_a_page_without_a_file_button_still_classifies_related_links():
    related = (
        "<aside><ul><li class='related-content__item'><a class='related-content__link' "
        f"href='{FIXTURE_ORIGIN}/wp-content/uploads/2015/03/Olive-Darbyshire.pdf'>Olive</a></li>"
        "</ul></aside>"
    )
    parsed = parse(page_with_flow("Ref: 2015-0001", extra=related))
    assert [(d["kind"], d["source"], d["position"]) for d in parsed["documents"]] == [
        ("report", "related", 1)
    ]


# --- URLs ---------------------------------------------------------------------------------------


def test_canonical_url_rewriting_keeps_path_and_query():
    assert (
        parsing.canonicalize_url(f"{FIXTURE_ORIGIN}/page/2/?s=&pfd_report_type=x", FIXTURE_ORIGIN)
        == f"{CANONICAL}/page/2/?s=&pfd_report_type=x"
    )
    assert parsing.canonicalize_url("https://example.org/a", FIXTURE_ORIGIN) == (
        "https://example.org/a"
    )
    assert parsing.to_crawl_url(f"{CANONICAL}/x/?a=1", FIXTURE_ORIGIN) == f"{FIXTURE_ORIGIN}/x/?a=1"


def test_origin_of_rejects_relative_urls():
    with pytest.raises(ValueError, match="not an absolute URL"):
        parsing.origin_of("/prevention-of-future-death-reports/")


# --- legacy posts, drift, truncation, hashing --------------------------------------------------


def test_legacy_category_post_parses_to_nothing():
    parsed = parse(fixture_text("report_legacy_post.html"), "railwayrelateddeaths")
    assert parsed["is_empty"] is True
    assert parsed["page_title"] == "Railway related deaths"


def test_the_2025_08_layout_parses_to_nothing():
    parsed = parse(fixture_text("report_layout_2025_08.html"))
    assert parsed["is_empty"] is True
    assert parsed["documents"] == []
    assert all(value is None for value in parsed["header"].values())


def test_truncated_pages_are_detected():
    assert parsing.is_complete_page(fixture_text("report_current.html"))
    assert not parsing.is_complete_page(fixture_text("report_truncated.html"))
    no_footer = fixture_text("report_current.html").replace("site-footer", "other-footer")
    assert not parsing.is_complete_page(no_footer)
    cut_after_footer = fixture_text("report_current.html").rsplit("</html>", 1)[0]
    assert not parsing.is_complete_page(cut_after_footer)


def test_content_hash_depends_on_content_not_on_origin_or_markup_noise():
    current = fixture_text("report_current.html")
    first = parsing.parse_report_page(current, report_url("k"))
    other_origin = current.replace(FIXTURE_ORIGIN, "http://localhost:9999")
    second = parsing.parse_report_page(other_origin, report_url("k", "http://localhost:9999"))
    reformatted = parsing.parse_report_page(
        current.replace("<p>Ref:", "<p>\n Ref:"), report_url("k")
    )
    changed = parsing.parse_report_page(
        current.replace("Nigel Parsley", "N Parsley"), report_url("k")
    )

    assert first["content_hash"] == second["content_hash"] == reformatted["content_hash"]
    assert first["content_hash"] != changed["content_hash"]
    assert len(first["content_hash"]) == 64


# --- listing pages ------------------------------------------------------------------------------


def test_listing_page_cards_and_page_count():
    url = f"{FIXTURE_ORIGIN}/prevention-of-future-death-reports/"
    listing = parsing.parse_listing_page(fixture_text("listing_page_1.html"), url)

    assert listing["page_count"] == 615
    assert len(listing["cards"]) == 10
    first = listing["cards"][0]
    assert first["url"] == report_url("report-01-prevention-of-future-deaths-report")
    assert first["canonical_url"] == (
        f"{CANONICAL}/prevention-of-future-death-reports/report-01-prevention-of-future-deaths-report/"
    )
    assert first["date_added"] == "2024-06-03"


def test_page_count_on_the_last_page_comes_from_the_current_span():
    url = f"{FIXTURE_ORIGIN}/prevention-of-future-death-reports/page/615/"
    listing = parsing.parse_listing_page(fixture_text("listing_page_615.html"), url)
    assert listing["page_count"] == 615
    assert len(listing["cards"]) == 3


def test_listing_without_pagination_has_one_page_and_empty_listing_no_cards():
    assert parsing.parse_page_count("<html><body></body></html>") == 1
    listing = parsing.parse_listing_page(
        fixture_text("listing_no_cards.html"), FIXTURE_ORIGIN + "/"
    )
    assert listing["cards"] == []


def test_parse_report_page_rejects_unparseable_input_clearly():
    with pytest.raises(TypeError, match="expected HTML text"):
        parsing.parse_report_page(42, report_url("x"))


# --- the offline snapshot's saved pages (the markup contract seen from the other side) ----------


def snapshot_fixture(name: str) -> str:
    try:
        return fixture_text(name)
    except FileNotFoundError:
        pytest.skip(f"snapshot fixture {name} is not saved")


@pytest.mark.parametrize(
    ("name", "is_empty", "documents", "warnings"),
    [
        ("snapshot_report_current.html", False, 4, []),
        ("snapshot_report_label_variants.html", False, 2, []),
        ("snapshot_report_undated_removed.html", False, 3, ["missing date_added"]),
        ("snapshot_report_layout_2025_08.html", True, 0, None),
        ("snapshot_legacy_post.html", True, 0, None),
    ],
)
def test_snapshot_pages_parse_as_the_contract_says(name, is_empty, documents, warnings):
    parsed = parse(snapshot_fixture(name))
    assert parsed["is_empty"] is is_empty
    assert len(parsed["documents"]) == documents
    if warnings is not None:
        assert parsed["parse_warnings"] == warnings
        assert set(parsed["header_labels"]) == set(HEADER_LABELS)


def test_snapshot_listing_page_parses():
    url = f"{FIXTURE_ORIGIN}/prevention-of-future-death-reports/page/2/"
    listing = parsing.parse_listing_page(snapshot_fixture("snapshot_listing_page_2.html"), url)
    assert len(listing["cards"]) == 10
    assert listing["page_count"] == 615
    assert all(card["canonical_url"].startswith(CANONICAL + "/") for card in listing["cards"])


def test_the_replica_states_which_stored_copy_a_page_is():
    parsed = parsing.parse_report_page(
        fixture_text("snapshot_report_current.html"), report_url("snapshot-report")
    )
    assert (parsed["capture_kind"], parsed["captured_on"]) == ("page_scrape", "2026-02-01")


def test_a_live_page_has_no_capture_tags_and_unknown_values_are_dropped():
    live = parsing.parse_report_page(fixture_text("report_current.html"), report_url("live"))
    assert (live["capture_kind"], live["captured_on"]) == (None, None)
    odd = page_with_flow("Ref: 2024-0001").replace(
        "<html>",
        '<html><head><meta name="pfdw:capture-kind" content="hearsay">'
        '<meta name="pfdw:captured-on" content="2024-04-07"></head>',
    )
    parsed = parse(odd)
    assert (parsed["capture_kind"], parsed["captured_on"]) == (None, None)


def test_the_capture_is_not_part_of_the_content_hash():
    html = page_with_flow("Ref: 2024-0001")
    tagged = html.replace(
        "<html>",
        '<html><head><meta name="pfdw:capture-kind" content="page_scrape">'
        '<meta name="pfdw:captured-on" content="2024-04-07"></head>',
    )
    assert parse(html)["content_hash"] == parse(tagged)["content_hash"]
    assert parse(tagged)["captured_on"] == "2024-04-07"
