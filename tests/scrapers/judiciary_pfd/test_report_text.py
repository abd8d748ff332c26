"""The report's own words on the page: both inline markups (real rows, rendered by the snapshot),
the plain numbered form, the addressee block, and tolerant section headings."""

from __future__ import annotations

import pytest

from scrapers.judiciary_pfd import parsing
from scrapers.judiciary_pfd.report_text import (
    SECTION_KEYS,
    heading_key,
    report_text_fields,
    split_report_text,
)
from tests.scrapers.judiciary_pfd.support import fixture_text, report_url

TAIL = '<footer class="site-footer">...</footer></body></html>'


def page(flow: str) -> str:
    return (
        "<!DOCTYPE html><html><body><main><article><header class='single__header'>"
        "<h1 class='single__title'>T</h1><time datetime='2024-06-03'>3 June 2024</time></header>"
        f"<div class='flow'>{flow}</div></article></main>{TAIL}"
    )


def page_text(html: str) -> tuple[dict, dict]:
    parsed = parsing.parse_report_page(html, report_url("r"))
    return parsed, report_text_fields(parsed["inline_text"], text_source="page", document_url=None)


def keys(fields: dict) -> list[tuple[str, str]]:
    return [(s["number"], s["section_key"]) for s in fields["sections"]]


FIRST_SEVEN = [(str(n), key) for n, key in enumerate(SECTION_KEYS[:7], start=1)]


# --- the two inline markups of real pages (real rows, as the snapshot renders them) --------------


def test_table_rows_keyed_by_the_heading_cell():
    # Geoffrey Hoad, 2023-0327: the report text is a govuk-table after the header lines.
    parsed, text = page_text(fixture_text("snapshot_report_text_table.html"))

    assert keys(text) == FIRST_SEVEN
    assert text["text_status"] == "sections"
    assert text["sent_to_text"] == "Chief Executive; East of England Ambulance Service NHS Trust"
    by_key = {s["section_key"]: s for s in text["sections"]}
    assert by_key["coroner"]["text"] == "Jacqueline Lake\nNorfolk"
    assert by_key["legal_powers"]["heading"] == "CORONER'S LEGAL POWERS"
    assert "namely by November 06, 2023" in by_key["your_response"]["text"]
    # Paragraphs of a cell are lines; numbered concerns stay inside section 5.
    assert by_key["coroners_concerns"]["text"].startswith("1. The ambulance service was called")
    assert "\n2. The ambulance service was called again" in by_key["coroners_concerns"]["text"]
    assert "1a) Sub acute myocardial infarction" in by_key["investigation_and_inquest"]["text"]
    # The table is report text, not header: the header's own recipients line is untouched.
    assert parsed["header"]["sent_to"] == (
        "East of England Ambulance Service NHS Trust | Department of Health and Social Care | Spire"
    )
    assert parsed["parse_warnings"] == []
    assert parsed["report_sections"] == text["sections"]
    assert text["parse_warnings"] == []


def test_strong_headings_followed_by_their_paragraphs():
    # Brian Chapman, 2024-0164: <p><strong>N HEADING</strong></p> then <p> paragraphs.
    parsed, text = page_text(fixture_text("snapshot_report_text_strong.html"))

    assert keys(text) == FIRST_SEVEN
    assert text["sent_to_text"] == "Department for Transport"
    by_key = {s["section_key"]: s["text"] for s in text["sections"]}
    assert by_key["coroner"] == "Simon Milburn\nCambridgeshire and Peterborough"
    assert by_key["investigation_and_inquest"].endswith("Conclusion – Road Traffic Collision")
    assert by_key["coroners_concerns"].count("\n") == 3  # four paragraphs
    assert "namely by March 25, 2024" in by_key["your_response"]
    # The report's "THIS REPORT IS BEING SENT TO:" is not a second header line.
    assert parsed["header"]["sent_to"] == "Department for Transport"
    assert "duplicate label: sent_to" not in parsed["parse_warnings"]
    assert parsed["parse_warnings"] == []


def test_plain_numbered_paragraphs_and_the_addressee_list():
    _, text = page_text(fixture_text("report_inline_sections.html"))
    assert [key for _, key in keys(text)] == list(SECTION_KEYS)
    assert text["sent_to_text"] == "1. NHS ENGLAND"
    assert text["sections"][8]["text"] == "02/05/2023\nAlison Mutch\nSenior Coroner"


def test_pages_without_report_text_have_none():
    parsed, text = page_text(fixture_text("report_current.html"))
    assert parsed["inline_text"] == ""
    assert text["text_status"] == "no_sections"
    assert parsing.report_pdf_url(parsed["documents"]).endswith("2024-0295_Published.pdf")


def test_the_addressee_block_when_the_header_names_no_recipient():
    # 2013-2015 pages: the header has no "sent to" line; the report's block must not become one.
    html = page(
        "<p>Ref: 2014-0001</p><p><strong>THIS REPORT IS BEING SENT TO:</strong></p>"
        "<p>1. Chief Executive, Barts Health NHS Trust</p><p>2. NHS England</p>"
        "<p><strong>1 CORONER</strong></p><p>Mary Hassell</p>"
        "<p><strong>5 CORONER’S CONCERNS</strong></p><p>The trust has no policy.</p>"
    )
    parsed, text = page_text(html)
    assert parsed["header"]["sent_to"] is None
    assert "missing label: sent_to" in parsed["parse_warnings"]
    assert text["sent_to_text"] == "1. Chief Executive, Barts Health NHS Trust\n2. NHS England"
    assert keys(text) == [("1", "coroner"), ("5", "coroners_concerns")]


def test_a_strong_heading_with_its_text_in_the_same_paragraph_and_no_number():
    html = page(
        "<p>This report is being sent to: NHS England</p>"
        "<p><strong>CORONER</strong> I am Jane Doe, Area Coroner.</p>"
        "<p><strong>CORONERS CONCERNS</strong> NHS England has no plan.</p>"
        "<p><strong>6 Action should be taken</strong></p>"
        "<p>In my opinion action should be taken.</p>"
        "<p><strong>Response times</strong> were long.</p>"
    )
    _, text = page_text(html)
    # Unnumbered upper-case headings take the template's number, numbered ones are read in any
    # case; "NHS" stays in the text, and a bold lead-in in mixed case is text.
    assert [(s["number"], s["heading"], s["text"]) for s in text["sections"]] == [
        ("1", "CORONER", "I am Jane Doe, Area Coroner."),
        ("5", "CORONERS CONCERNS", "NHS England has no plan."),
        (
            "6",
            "ACTION SHOULD BE TAKEN",
            "In my opinion action should be taken.\nResponse times were long.",
        ),
    ]


# --- section headings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("CORONER", "coroner"),
        ("CORONER'S LEGAL POWERS", "legal_powers"),
        ("Coroner’s legal powers", "legal_powers"),
        ("INVESTIGATION and INQUEST", "investigation_and_inquest"),
        ("INVESTIGATION & INQUEST", "investigation_and_inquest"),
        ("CIRCUMSTANCES OF THE DEATH", "circumstances_of_death"),
        ("CORONER'S CONCERNS", "coroners_concerns"),
        ("CORONERS CONCERNS", "coroners_concerns"),
        ("CORONER’S CONCERN", "coroners_concerns"),
        ("MATTERS OF CONCERN", "coroners_concerns"),
        ("ACTION SHOULD BE TAKEN", "action_should_be_taken"),
        ("YOUR RESPONSE", "your_response"),
        ("COPIES and PUBLICATION", "copies_and_publication"),
        ("NHS ENGLAND", None),
        ("", None),
    ],
)
def test_heading_key_is_tolerant(heading, key):
    assert heading_key(heading) == key


def test_empty_sections_left_out_and_numbered_lists_inside_a_section():
    # Shaped like a real PDF row (alex-kelly): no section 2, and numbered upper-case list items
    # ("2. IT") inside the concerns.
    text = split_report_text(
        "REGULATION 28: REPORT TO PREVENT FUTURE DEATHS\n1 CORONER\nMary Hassell\n"
        "3 INVESTIGATION and INQUEST\nOn 1 February 2012 I commenced an investigation.\n"
        "1. That there was a systemic failure\n2. At Cookham Wood the sharing\n"
        "4 CIRCUMSTANCES OF THE DEATH\nAlex was 15.\n5 CORONER'S CONCERNS\n1. Allocation\n"
        "2. IT\nThe IT systems do not talk.\n6. ACCT\nNot opened.\n"
        "6 ACTION SHOULD BE TAKEN\nIn my opinion action should be taken."
    )
    assert [(s["number"], s["section_key"]) for s in text["sections"]] == [
        ("1", "coroner"),
        ("3", "investigation_and_inquest"),
        ("4", "circumstances_of_death"),
        ("5", "coroners_concerns"),
        ("6", "action_should_be_taken"),
    ]
    concerns = text["sections"][3]["text"]
    assert concerns == "1. Allocation\n2. IT\nThe IT systems do not talk.\n6. ACCT\nNot opened."
    assert text["warnings"] == []


def test_a_number_on_its_own_line_before_its_heading_is_joined():
    # PDF tables put the section number in its own cell.
    text = split_report_text("1\nCORONER\nJane Doe\n5\nCORONER’S CONCERNS\nThere is a risk.\n2\n")
    assert [(s["number"], s["heading"], s["text"]) for s in text["sections"]] == [
        ("1", "CORONER", "Jane Doe"),
        ("5", "CORONER’S CONCERNS", "There is a risk.\n2"),
    ]


def test_a_numbered_list_alone_is_not_a_report():
    assert (
        split_report_text("2. NHS ENGLAND\n3. The TRUST\n5 CORONER'S CONCERNS\nx")["sections"] == []
    )


def test_an_unknown_heading_is_keyed_by_its_number_with_a_warning():
    text = split_report_text("1 CORONER\nX\n2 ROLE AND POWERS\nI make this report.")
    assert [(s["number"], s["section_key"]) for s in text["sections"]] == [
        ("1", "coroner"),
        ("2", "legal_powers"),
    ]
    assert text["warnings"] == [
        "section 2 heading 'ROLE AND POWERS' names no known section; keyed by its number"
    ]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("THIS REPORT IS BEING SENT TO: NHS England\nCQC", "NHS England\nCQC"),
        ("These reports are being sent to:\n1. A\n2. B", "1. A\n2. B"),
        ("THIS REPORT IS BEING SENT TO", None),  # the label alone: empty block
        ("Some title", None),  # no label
    ],
)
def test_the_addressee_block_ends_at_section_one(block, expected):
    text = split_report_text(f"{block}\n1 CORONER\nJane Doe")
    assert text["sent_to_text"] == expected
    assert text["sections"][0]["text"] == "Jane Doe"


def test_text_fields_hash_the_parsed_content():
    first = report_text_fields("1 CORONER\nJane", text_source="page", document_url=None)
    same = report_text_fields("1 CORONER\nJane", text_source="page", document_url=None)
    other = report_text_fields("1 CORONER\nJohn", text_source="page", document_url=None)
    assert first["content_hash"] == same["content_hash"] != other["content_hash"]
    with pytest.raises(ValueError, match="text_source must be one of"):
        report_text_fields("x", text_source="web", document_url=None)
