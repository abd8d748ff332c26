"""Report PDFs: text extraction with pypdf, bounded, and the report's sections read from it.

``report_dean_saunders.pdf`` is the snapshot's Regulation 28 PDF of a real transcribed report
(Dean Saunders, 2017-0056: three pages, curly quotes and dashes, sections 2, 6 and 7 empty)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from scrapers.judiciary_pfd.pdf_text import extract_pdf_text, looks_complete
from scrapers.judiciary_pfd.report_text import report_text_fields
from tests.scrapers.judiciary_pfd.support import FIXTURES

pdf = pytest.importorskip("scrapers.snapshot.pdf")
report_texts = pytest.importorskip("scrapers.snapshot.report_text")

DEAN_SAUNDERS = "https://www.judiciary.uk/prevention-of-future-death-reports/dean-saunders/"
DOCUMENT = "https://www.judiciary.uk/wp-content/uploads/2017/03/Saunders-2017-0056.pdf"
CSV_KEYS = {
    "investigation_and_inquest": "investigation_and_inquest",
    "circumstances_of_death": "circumstances_of_death",
    "coroners_concerns": "coroners_concerns",
}


def pdf_fields(body: bytes, max_pages: int = 60) -> dict:
    extracted = extract_pdf_text(body, max_pages=max_pages)
    return report_text_fields(
        extracted.text,
        text_source="pdf",
        document_url=DOCUMENT,
        page_count=extracted.page_count,
        warnings=extracted.warnings,
        unreadable=not extracted.readable,
    )


def flat(text: str | None) -> str:
    return " ".join((text or "").split())


def test_a_multi_page_report_pdf_gives_the_csv_sections_and_addressees():
    fields = pdf_fields((FIXTURES / "report_dean_saunders.pdf").read_bytes())
    row = report_texts.bundled_report_texts()[DEAN_SAUNDERS]

    assert fields["page_count"] == 3
    assert fields["text_status"] == "sections"
    assert fields["sent_to_text"] == (
        "Her Majesty’s Prison Service; Care UK Clinical Services; South Essex Partnership Trust;"
        " NHS England"
    )
    assert [(s["number"], s["section_key"]) for s in fields["sections"]] == [
        ("1", "coroner"),
        ("3", "investigation_and_inquest"),
        ("4", "circumstances_of_death"),
        ("5", "coroners_concerns"),
    ]
    by_key = {s["section_key"]: s["text"] for s in fields["sections"]}
    assert by_key["coroner"] == "Caroline Beasley-Murray\nEssex"
    # The PDF wraps lines; the words are the CSV's, non-ASCII characters included.
    for column, key in CSV_KEYS.items():
        assert flat(by_key[key]) == flat(row.sections[column]), key
    assert {"’", "–", "“", "”", "•"} <= {char for char in fields["raw_text"] if ord(char) > 127}
    assert fields["parse_warnings"] == []
    assert fields["raw_text"].startswith("REGULATION 28: REPORT TO PREVENT FUTURE DEATHS\n")


def test_cp1252_characters_survive_extraction():
    body = pdf.regulation28_pdf(
        "Café Ltd, 5 Rue d’Été",
        [("1", "CORONER", "Zoë Ashdown"), ("5", "CORONER'S CONCERNS", "£5")],
    )
    fields = pdf_fields(body)
    assert fields["sent_to_text"] == "Café Ltd, 5 Rue d’Été"
    assert [s["text"] for s in fields["sections"]] == ["Zoë Ashdown", "£5"]


def test_the_snapshot_stand_in_pdf_is_recognised():
    fields = pdf_fields(pdf.stand_in_pdf(DOCUMENT))
    assert fields["text_status"] == "stand_in"
    assert fields["sections"] == [] and fields["sent_to_text"] is None
    assert DOCUMENT in fields["raw_text"]


def blank_pdf(pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        (b"<!DOCTYPE html><html>Not found</html>", "unreadable PDF: not a PDF file"),
        (b"%PDF-1.4\n1 0 obj garbage %%EOF", "unreadable PDF: "),
        (blank_pdf(), "unreadable PDF: no text layer (a scanned image?)"),
        (blank_pdf(password="secret"), "unreadable PDF: encrypted with a password"),
    ],
)
def test_an_unreadable_pdf_says_why(body, warning):
    fields = pdf_fields(body)
    assert fields["text_status"] == "unreadable"
    assert fields["sections"] == [] and fields["raw_text"] == ""
    assert any(w.startswith(warning) for w in fields["parse_warnings"]), fields["parse_warnings"]


def test_only_the_first_pages_are_read():
    body = (FIXTURES / "report_dean_saunders.pdf").read_bytes()
    extracted = extract_pdf_text(body, max_pages=1)
    assert extracted.page_count == 3
    assert extracted.warnings == ["read the first 1 of 3 pages"]
    assert "CORONER'S CONCERNS" not in extracted.text
    with pytest.raises(ValueError, match="max_pages must be at least 1"):
        extract_pdf_text(body, max_pages=0)


def test_a_download_cut_short_is_detected():
    body = (FIXTURES / "report_dean_saunders.pdf").read_bytes()
    assert looks_complete(body)
    assert not looks_complete(body[: len(body) // 2])
