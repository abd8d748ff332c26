"""The hand-built PDFs: stand-in documents and Regulation 28 reports (synthetic input here; real
rows served by the server are tested in test_report_text.py)."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from scrapers.snapshot import pdf

SECTIONS = [
    ("1", "CORONER", "Jane Doe\nSomewhere"),
    ("2", "CORONER'S LEGAL POWERS", "I make this report under paragraph 7."),
    (
        "5",
        "CORONER'S CONCERNS",
        "The \u201cmatter\u201d cost \u00a3150 at the caf\u00e9 (Ren\u00e9\u2019s).",
    ),
]


def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data), strict=True)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in _reader(data).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_stand_in_pdf_is_valid_and_names_the_real_url():
    url = (
        "https://www.judiciary.uk/wp-content/uploads/JCO/Documents/coroners/pfds/"
        "road-highways-safety/Nilsson+2013-0332.pdf"
    )
    reader = _reader(pdf.stand_in_pdf(url))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "stand-in" in text
    assert url in text
    assert reader.metadata.subject == url


def test_stand_in_pdf_escapes_pdf_string_delimiters():
    url = "https://www.judiciary.uk/wp-content/uploads/2020/01/odd(name)\\x.pdf"
    assert url in _reader(pdf.stand_in_pdf(url)).pages[0].extract_text()


def test_regulation28_layout_title_addressees_then_sections_in_order():
    text = _text(pdf.regulation28_pdf("Chief Executive, A Trust\nThe Minister", SECTIONS))
    lines = text.splitlines()
    assert lines[0] == pdf.REGULATION28_TITLE
    assert lines[1] == "THIS REPORT IS BEING SENT TO:"
    assert lines[2:4] == ["Chief Executive, A Trust", "The Minister"]
    headings = ["1 CORONER", "2 CORONER'S LEGAL POWERS", "5 CORONER'S CONCERNS"]
    positions = [lines.index(heading) for heading in headings]
    assert positions == sorted(positions) and positions[0] == 4
    assert lines[5:7] == ["Jane Doe", "Somewhere"]


def test_winansi_text_survives_extraction():
    text = _text(pdf.regulation28_pdf(None, SECTIONS))
    assert "The \u201cmatter\u201d cost \u00a3150 at the caf\u00e9 (Ren\u00e9\u2019s)." in text


def test_no_addressee_block_without_addressees():
    for sent_to in (None, "", "  \n "):
        text = _text(pdf.regulation28_pdf(sent_to, SECTIONS))
        assert "SENT TO" not in text
        assert text.splitlines()[:2] == [pdf.REGULATION28_TITLE, "1 CORONER"]


def test_characters_outside_cp1252_become_question_marks_and_are_counted():
    built = pdf.build_regulation28_pdf(
        "Ko\u0107 \u2009Ltd", [("3", "INVESTIGATION and INQUEST", "A \ufb01ne \uf0b7 point\x07.")]
    )
    assert built.replaced_characters == 5
    text = _text(built.data)
    assert "Ko? ?Ltd" in text
    assert "A ?ne ? point?." in text


def test_long_text_wraps_inside_the_page_and_flows_onto_more_pages():
    paragraph = " ".join(f"word{n} \u00e9l\u00e8ve" for n in range(120))
    sections = [("4", "CIRCUMSTANCES OF THE DEATH", "\n\n".join([paragraph] * 12))]
    built = pdf.build_regulation28_pdf("Someone", sections)
    reader = _reader(built.data)
    assert built.page_count == len(reader.pages) >= 4
    for page in reader.pages:
        assert page.extract_text().strip()
    # Every word comes back once per paragraph, in order, across the pages.
    words = _flat(_text(built.data)).split()
    assert words.count("word119") == 12
    assert words[words.index("word0") : words.index("word0") + 4] == [
        "word0",
        "\u00e9l\u00e8ve",
        "word1",
        "\u00e9l\u00e8ve",
    ]
    encoded, _ = pdf.encode_winansi(paragraph)
    for line in pdf.wrap(encoded, 10.0):
        assert pdf.text_width(line, 10.0) <= pdf.TEXT_WIDTH


def test_a_word_wider_than_the_page_is_cut():
    word = b"x" * 400
    lines = pdf.wrap(word, 10.0)
    assert b"".join(lines) == word and len(lines) > 1
    assert all(pdf.text_width(line, 10.0) <= pdf.TEXT_WIDTH for line in lines)


def test_helvetica_widths_are_the_afm_values():
    assert pdf.text_width(b" ", 1000) == 278
    assert pdf.text_width(b"W", 1000) == 944
    assert pdf.text_width(b"i", 1000) == 222
    assert pdf.text_width("\u00e9".encode("cp1252"), 1000) == 556  # as its base letter
    assert pdf.text_width("\u2014".encode("cp1252"), 1000) == 1000


def test_bytes_are_deterministic_and_the_xref_points_at_each_object():
    data = pdf.regulation28_pdf("A", SECTIONS)
    assert data == pdf.regulation28_pdf("A", SECTIONS)
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
    assert data[startxref:].startswith(b"xref\n0 ")
    entries = re.findall(rb"(\d{10}) 00000 n ", data[startxref:])
    assert entries
    for number, offset in enumerate(entries, start=1):
        assert data[int(offset) :].startswith(b"%d 0 obj\n" % number)
    assert b"/Encoding /WinAnsiEncoding" in data and b"/BaseFont /Helvetica" in data


def test_pdf_string_delimiters_in_report_text_round_trip():
    text = _text(pdf.regulation28_pdf(None, [("6", "ACTION SHOULD BE TAKEN", r"a (b) \c) d")]))
    assert r"a (b) \c) d" in text


@pytest.mark.parametrize(
    ("sent_to", "sections", "error", "message"),
    [
        (None, [("1", "CORONER")], TypeError, "section 0 must be a \\(number, heading, text\\)"),
        (None, [["1", "CORONER", "x"]], TypeError, "section 0 must be"),
        (None, [("1", "CORONER", "x"), ("2", "X", None)], TypeError, "section 1 must be"),
        (None, [(" ", "CORONER", "x")], ValueError, "section 0 \\('CORONER'\\) has no number"),
        (b"bytes", [], TypeError, "sent_to must be a string or None, not bytes"),
    ],
)
def test_bad_input_is_named(sent_to, sections, error, message):
    with pytest.raises(error, match=message):
        pdf.regulation28_pdf(sent_to, sections)
