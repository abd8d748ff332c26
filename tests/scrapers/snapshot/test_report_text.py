"""Report texts on real rows: page text inline in both markups, PDF text as a Regulation 28 PDF,
a stand-in for the rest, and the bundled file with its provenance."""

from __future__ import annotations

import gzip
import html
import io
import re
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pypdf
import pytest

from scrapers.snapshot import pdf, render
from scrapers.snapshot import report_text as report_text_module
from scrapers.snapshot.report_text import (
    ReportText,
    ReportTextDataError,
    bundled_report_texts,
    paragraphs,
    read_report_texts,
    text_document,
)
from scrapers.snapshot.site import CSV_COLUMNS, SnapshotSite, build_entries

from .conftest import fetch

ORIGIN = "http://127.0.0.1:8765"
SHARED_CSV = Path(__file__).resolve().parents[3] / ".." / "shared/data/judiciary/report_texts.csv"
REPORTS = "https://www.judiciary.uk/prevention-of-future-death-reports/"
TABLE_ROW = REPORTS + "geoffery-hoad-prevention-of-future-deaths-report/"
STRONG_ROW = REPORTS + "brian-chapman-prevention-of-future-deaths-report/"
# A 2014 report: no recipient in its header, addressees inside the text, transcribed from the PDF.
PDF_ROW = REPORTS + "samiyo-farah/"
PDF_SENTENCE = (
    "There appears to have been an inconsistency of approach following Miss Farah\u2019s "
    "admissions to A & E."
)
NO_TEXT_ROW = REPORTS + "katie-overd-prevention-of-future-deaths-report/"
HEADINGS = {
    "1": "1 CORONER",
    "2": "2 CORONER'S LEGAL POWERS",
    "3": "3 INVESTIGATION and INQUEST",
    "4": "4 CIRCUMSTANCES OF THE DEATH",
    "5": "5 CORONER'S CONCERNS",
    "6": "6 ACTION SHOULD BE TAKEN",
    "7": "7 YOUR RESPONSE",
}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _page(site: SnapshotSite, url: str, layout: str = "current") -> str:
    entry = site.entry(url)
    documents = site.visible_documents(url)
    return render.render_report(entry, documents, ORIGIN, layout, text=site.inline_text(entry))


def _pdf_text(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    return [page.extract_text() for page in reader.pages]


# The bundled file ------------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared/ data not present")
def test_bundled_texts_are_byte_identical_to_the_shared_copy():
    assert gzip.decompress(report_text_module.DATA_FILE.read_bytes()) == SHARED_CSV.read_bytes()


def test_bundled_texts_have_every_row_and_their_kinds():
    texts = bundled_report_texts()
    assert len(texts) == 1642
    kinds = [text.kind for text in texts.values()]
    assert kinds.count("page") == 710 and kinds.count("pdf") == 932


def test_provenance_names_sources_licences_and_how_each_row_is_served():
    text = (report_text_module.DATA_FILE.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    for needle in (
        "report_texts.csv.gz",
        "Sam-Osian/PFD-toolkit",
        "AGPL-3.0",
        "Open Government Licence v3.0",
        "georgiarichards/preventabledeathstracker",
        "Mr-Helpful/preventable-deaths-scraper",
        "inline",
        "Regulation 28",
        "stand-in",
        "composed from the page header",
    ):
        assert needle in text, needle


def test_texts_are_read_on_first_use_not_at_import():
    code = (
        "import scrapers.snapshot.server, scrapers.snapshot.fixtures\n"
        "from scrapers.snapshot import report_text\n"
        "print(report_text.bundled_report_texts.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def _write_csv(path: Path, header: str, *rows: str) -> Path:
    path.write_bytes(gzip.compress(("\n".join([header, *rows]) + "\n").encode("utf-8")))
    return path


HEADER = ",".join(report_text_module.TEXT_COLUMNS)


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        ("report_url,sources", [], "expected columns"),
        (HEADER, [f"{REPORTS}a/,,,,,,,,scraped:x.csv"], r"row 0 .*unknown text source"),
        (HEADER, [f"{REPORTS}a/,,,,,,,,"], r"row 0 .*unknown text source"),
        (HEADER, ["http://example.org/a/,,,,,,,,pdt:x"], "row 0: report_url is not on"),
        (HEADER, [f"{REPORTS}a/,,,,,,,,pdt:x", f"{REPORTS}a/,,,,,,,,mrh:y"], "row 1: repeated"),
    ],
)
def test_bad_text_files_are_named(tmp_path, header, rows, message):
    path = _write_csv(tmp_path / "texts.csv.gz", header, *rows)
    with pytest.raises(ReportTextDataError, match=message):
        read_report_texts(path)


# How rows are served ---------------------------------------------------------------------------


def test_counts_of_rows_served_inline_and_as_pdf(site_everything_listed):
    served = site_everything_listed.served_texts
    texts = bundled_report_texts()
    pdf_rows = [text for text in texts.values() if text.kind == "pdf"]
    entries = {e.url: e for e in site_everything_listed.listed_entries()}
    with_document = [t for t in pdf_rows if text_document(entries[t.report_url]) is not None]
    without_document = [t for t in pdf_rows if text_document(entries[t.report_url]) is None]
    own_pdf = [t for t, _ in served.pdf.values()]
    assert len(own_pdf) == len(served.pdf) == 783
    # 7 pages share their report PDF with an earlier page (one report about several deaths).
    assert len(with_document) - len(own_pdf) == 7
    # 142 texts belong to pages with no report PDF (137 captured without any document link, 2
    # with no document, 3 whose only documents are responses): shown inline instead.
    assert len(without_document) == 142
    assert {t.report_url for t in without_document} <= set(served.inline)
    assert len(served.inline) == 710 + 142


def test_a_response_on_the_download_button_does_not_carry_the_report_text(site_everything_listed):
    base = "https://www.judiciary.uk/prevention-of-future-death-reports/"
    # the capture put a police response on the button; the report PDF is among the documents
    paul = site_everything_listed.entry(base + "paul-taylor-prevention-of-future-deaths-report/")
    assert "Response" in paul.report_document.path
    assert text_document(paul).path.endswith(
        "Paul-Taylor-Prevention-of-Future-Deaths-Report-2024-0710.pdf"
    )
    # only responses: the text is shown in the page
    cheryl = base + "cheryl-edwards-prevention-of-future-deaths-report/"
    assert text_document(site_everything_listed.entry(cheryl)) is None
    assert cheryl in site_everything_listed.served_texts.inline


def test_a_shared_report_pdf_carries_the_first_pages_text(site_everything_listed):
    entries = sorted(site_everything_listed.listed_entries(), key=lambda e: e.position)
    owners = [
        e
        for e in entries
        if e.report_document and e.report_document.path.endswith("/2019/12/SIDAT-2019-0370-1.pdf")
    ]
    assert len(owners) == 3
    text, entry = site_everything_listed.document_text(owners[0].report_document.path)
    assert entry is owners[0] and text.report_url == owners[0].url


# Inline page text ------------------------------------------------------------------------------


def test_page_text_renders_as_table_rows(site_after_removals):
    assert render.text_markup(TABLE_ROW) == "table"
    page = _page(site_after_removals, TABLE_ROW)
    flow = page.split('<div class="flow">', 1)[1]
    header_end = flow.index('<table class="govuk-table"><tbody class="govuk-table__body">')
    assert "This report is being sent to:" in flow[:header_end]
    rows = re.findall(
        r'<tr class="govuk-table__row"><td class="govuk-table__cell">(.*?)</td>'
        r'<td class="govuk-table__cell">(.*?)</td></tr>',
        flow[header_end:],
    )
    labels = [html.unescape(label) for label, _ in rows]
    assert labels == ["THIS REPORT IS BEING SENT TO:", *(HEADINGS[str(n)] for n in range(1, 8))]
    cells = dict(zip(labels, (html.unescape(cell) for _, cell in rows), strict=True))
    assert cells["1 CORONER"] == "<p>Jacqueline Lake</p><p>Norfolk</p>"
    assert (
        "2022. Mr Hoad\u2019s condition continued to fluctuate. At 18.50"
        in cells["3 INVESTIGATION and INQUEST"]
    )
    assert "<p><strong>" not in page


def test_page_text_renders_as_strong_headings(site_after_removals):
    assert render.text_markup(STRONG_ROW) == "strong"
    page = _page(site_after_removals, STRONG_ROW)
    flow = page.split('<div class="flow">', 1)[1].split("</div>", 1)[0]
    blocks = re.findall(r"    <p>(.*?)</p>\n", flow)
    first_heading = blocks.index("<strong>THIS REPORT IS BEING SENT TO:</strong>")
    assert blocks[first_heading + 1] == "Department for Transport"
    headings = [html.unescape(b[8:-9]) for b in blocks if b.startswith("<strong>")]
    assert headings == ["THIS REPORT IS BEING SENT TO:", *(HEADINGS[str(n)] for n in range(1, 8))]
    concerns = blocks[blocks.index("<strong>5 CORONER&#x27;S CONCERNS</strong>") + 1]
    assert concerns.startswith("One of the two vehicles involved in the collision was a double")
    assert "(this vehicle was on a &#x27;63&#x27; plate)" in concerns
    assert "govuk-table" not in page


def test_every_page_text_row_shows_every_paragraph(site_everything_listed):
    markups = {"table": 0, "strong": 0}
    for url, text in site_everything_listed.served_texts.inline.items():
        page = _page(site_everything_listed, url)
        markups[render.text_markup(url)] += 1
        body = page.split('<div class="flow">', 1)[1]
        position = 0
        blocks = [text.sent_to, *(section for section in text.sections.values())]
        for block in blocks:
            for paragraph in paragraphs(block):
                found = body.find(f"<p>{html.escape(paragraph)}</p>", position)
                assert found >= 0, (url, paragraph[:60])
                position = found
    assert markups["table"] > 300 and markups["strong"] > 300


def test_hostile_page_text_is_escaped_in_both_markups():
    rows = []
    for n in range(40):
        row = dict.fromkeys(CSV_COLUMNS, "")
        row.update(
            report_url=f"{REPORTS}hostile-{n}/",
            date_added="03/06/2024",
            ref="2024-0001",
            coroner_name="<b>Coroner</b>",
            listed_on_2026_02_01="True",
        )
        rows.append(row)
    entries = build_entries(rows)
    hostile = "<script>alert('x')</script> & </td></tr><p><strong>9 FAKE</strong>"
    sections = dict.fromkeys((c for _, _, c in report_text_module.SECTION_COLUMNS), "")
    sections["coroners_concerns"] = hostile + "\n\nSecond paragraph"
    texts = {
        e.url: ReportText(e.url, "Org <i>", MappingProxyType(sections), ("pdt:x",)) for e in entries
    }
    site = SnapshotSite(entries=entries, texts=texts)
    seen = set()
    for entry in entries:
        page = _page(site, entry.url)
        seen.add(render.text_markup(entry.url))
        assert "<script>" not in page and "<i>" not in page and "<b>" not in page
        assert "<strong>9 FAKE" not in page
        assert html.escape(hostile) in page
        assert "<p>&lt;b&gt;Coroner&lt;/b&gt;</p>" in page
        assert "<p>Second paragraph</p>" in page
    assert seen == {"table", "strong"}


def test_drift_layout_keeps_the_text_outside_div_flow(site_after_removals):
    page = _page(site_after_removals, TABLE_ROW, layout="2025-08")
    assert '<div class="flow">' not in page
    assert '<div class="pfd-report__text">\n    <table class="govuk-table">' in page
    assert "Mr Hoad\u2019s condition continued to fluctuate." in page


def test_pages_of_pdf_rows_and_rows_without_text_show_no_report_text(site_after_removals):
    for url in (PDF_ROW, NO_TEXT_ROW):
        page = _page(site_after_removals, url)
        assert "govuk-table" not in page and "<strong>" not in page
        assert "1 CORONER" not in page


# PDFs through the server -----------------------------------------------------------------------


def test_pdf_row_is_served_as_a_regulation28_pdf(snapshot_server):
    entry = snapshot_server.site.entry(PDF_ROW)
    assert entry.row["sent_to"] == ""  # the header names no recipient; the report does
    response = fetch(snapshot_server.base_url, entry.report_document.path)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text_row = bundled_report_texts()[PDF_ROW]
    assert response.body == pdf.regulation28_pdf(
        text_row.sent_to, text_row.section_tuples(entry.row)
    )
    pages = _pdf_text(response.body)
    assert len(pages) >= 3
    lines = pages[0].splitlines()
    assert lines[:2] == [
        "REGULATION 28: REPORT TO PREVENT FUTURE DEATHS",
        "THIS REPORT IS BEING SENT TO:",
    ]
    assert lines[2].startswith("Affinity Healthcare Ltd (The Priory Hospital, Cheadle Royal);")
    text = "\n".join(pages)
    all_lines = text.splitlines()
    expected = [
        "1 CORONER",
        "3 INVESTIGATION and INQUEST",
        "4 CIRCUMSTANCES OF THE DEATH",
        "5 CORONER'S CONCERNS",
    ]
    positions = [all_lines.index(heading) for heading in expected]
    assert positions == sorted(positions)
    assert all_lines.index("THIS REPORT IS BEING SENT TO:") < positions[0]
    assert all_lines[positions[0] + 1 : positions[0] + 3] == ["Lisa Hashmi", "Manchester (North)"]
    assert "2 CORONER'S LEGAL POWERS" not in all_lines  # empty in the data: left out
    assert PDF_SENTENCE in _flat(text)
    assert "stand-in" not in text


def test_sampled_pdfs_round_trip_every_heading_and_word(site_everything_listed, snapshot_server):
    served = sorted(snapshot_server.site.served_texts.pdf.items())
    for path, (text, entry) in served[::40]:
        response = fetch(snapshot_server.base_url, path)
        assert response.status == 200, path
        extracted = _flat("\n".join(_pdf_text(response.body)))
        sections = text.section_tuples(entry.row)
        for number, heading, section_text in sections:
            assert f"{number} {heading}" in extracted, (path, number)
            words = _flat(section_text.encode("cp1252", "replace").decode("cp1252"))
            assert words in extracted, (path, number)
        if text.sent_to:
            assert extracted.index("THIS REPORT IS BEING SENT TO:") < extracted.index("1 CORONER")


def test_a_report_pdf_without_text_is_still_the_stand_in(snapshot_server):
    entry = snapshot_server.site.entry(NO_TEXT_ROW)
    response = fetch(snapshot_server.base_url, entry.report_document.path)
    assert response.status == 200 and response.headers["Content-Type"] == "application/pdf"
    (page,) = _pdf_text(response.body)
    assert "stand-in" in page and entry.report_document.url in page


def test_responses_of_a_pdf_row_stay_stand_ins(snapshot_server):
    entry = snapshot_server.site.entry(PDF_ROW)
    response_document = next(d for d in entry.documents if d.kind == "response")
    (page,) = _pdf_text(fetch(snapshot_server.base_url, response_document.path).body)
    assert "stand-in" in page
