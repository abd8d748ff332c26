"""Hand-built PDFs for the offline snapshot: the stand-in document and Regulation 28 reports.

One writer (``_pages_pdf`` and ``_write_pdf``, with a correct xref) serves both. The fonts are
the standard Helvetica and Helvetica-Bold (not embedded) with ``/WinAnsiEncoding``: text is
encoded cp1252, so curly quotes, accents and the pound sign survive text extraction, and each
character outside cp1252 becomes ``?`` (counted in ``BuiltPdf.replaced_characters``). Lines are
wrapped to the page width using the Helvetica glyph widths (Adobe's AFM values for ASCII, close
approximations elsewhere). Content streams are not compressed, so the bytes depend on nothing
but the input; no dates are written.

The Regulation 28 layout follows the template: the title line, the addressee block
("THIS REPORT IS BEING SENT TO:") when there is one, then the numbered sections, each heading on
its own line followed by its paragraphs. Nothing else is printed on the pages (no running header
or footer), so a parser reading the text meets only the report's words; the document information
dictionary says the layout is the snapshot's, not the original document's.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scrapers.snapshot.report_text import ADDRESSEE_HEADING, paragraphs

PAGE_WIDTH = 595  # A4, in points
PAGE_HEIGHT = 842
MARGIN = 56
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN

REGULATION28_TITLE = "REGULATION 28: REPORT TO PREVENT FUTURE DEATHS"
PRODUCER = "pfd-warehouse offline snapshot"
STAND_IN_LINES = (
    "This PDF is a stand-in served by the offline snapshot of judiciary.uk.",
    "It is not the real document, which is not bundled. The real document is at:",
)

REGULAR = "F1"
BOLD = "F2"
_FONTS = {REGULAR: "Helvetica", BOLD: "Helvetica-Bold"}
# Helvetica-Bold is a little wider than Helvetica; wrapping measures bold text with this margin.
_BOLD_WIDTH_FACTOR = 1.1

# Helvetica advance widths (1/1000 em) for WinAnsi codes 32-126, from Adobe's Helvetica AFM.
_ASCII_WIDTHS = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 "  # space - slash
    "556 556 556 556 556 556 556 556 556 556 278 278 584 584 584 556 "  # 0 - ?
    "1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 "  # @ - O
    "667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 "  # P - _
    "333 556 556 500 556 556 278 556 556 222 222 500 222 833 556 556 "  # ` - o
    "556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"  # p - ~
)
# Non-letters above 127 (cp1252 characters); letters take the width of their base letter.
_OTHER_WIDTHS = {
    "\u20ac": 556, "\u201a": 222, "\u0192": 556, "\u201e": 333, "\u2026": 1000, "\u2020": 556,
    "\u2021": 556, "\u02c6": 333, "\u2030": 1000, "\u2039": 333, "\u0152": 1000, "\u2018": 222,
    "\u2019": 222, "\u201c": 333, "\u201d": 333, "\u2022": 350, "\u2013": 556, "\u2014": 1000,
    "\u02dc": 333, "\u2122": 1000, "\u203a": 333, "\u0153": 944, "\u00a0": 278, "\u00a1": 333,
    "\u00a6": 260, "\u00a8": 333, "\u00a9": 737, "\u00aa": 370, "\u00ac": 584, "\u00ad": 333,
    "\u00ae": 737, "\u00af": 333, "\u00b0": 400, "\u00b1": 584, "\u00b2": 333, "\u00b3": 333,
    "\u00b4": 333, "\u00b6": 537, "\u00b7": 278, "\u00b8": 333, "\u00b9": 333, "\u00ba": 365,
    "\u00bc": 834, "\u00bd": 834, "\u00be": 834, "\u00bf": 611, "\u00c6": 1000, "\u00d7": 584,
    "\u00df": 611, "\u00e6": 889, "\u00f7": 584,
}  # fmt: skip
_DEFAULT_WIDTH = 556

_UNSAFE_STRING_BYTES = re.compile(rb"[\\()]|[^\x20-\x7e]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")


@functools.lru_cache(maxsize=1)
def _winansi_widths() -> tuple[int, ...]:
    """Advance width of each cp1252 byte value (codes with no character count as ``?``)."""
    ascii_widths = [int(width) for width in _ASCII_WIDTHS.split()]
    widths = []
    for code in range(256):
        if 32 <= code <= 126:
            widths.append(ascii_widths[code - 32])
            continue
        try:
            character = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            widths.append(ascii_widths[ord("?") - 32])
            continue
        base = unicodedata.normalize("NFD", character)[0]
        if character in _OTHER_WIDTHS:
            widths.append(_OTHER_WIDTHS[character])
        elif 32 <= ord(base) <= 126:
            widths.append(ascii_widths[ord(base) - 32])
        else:
            widths.append(_DEFAULT_WIDTH)
    return tuple(widths)


def encode_winansi(text: str) -> tuple[bytes, int]:
    """``text`` as cp1252 bytes, and how many characters had to become ``?``.

    Tabs count as spaces; control characters and characters outside cp1252 become ``?``.
    """
    text = text.replace("\t", " ")
    try:
        data = text.encode("cp1252")
        replaced = 0
    except UnicodeEncodeError:
        data = text.encode("cp1252", errors="replace")  # "?" for each unencodable character
        replaced = sum(1 for character in text if not _in_cp1252(character))
    data, controls = _CONTROL_BYTES.subn(b"?", data)
    return data, replaced + controls


def _in_cp1252(character: str) -> bool:
    try:
        character.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def text_width(data: bytes, size: float, font: str = REGULAR) -> float:
    """Width in points of cp1252 ``data`` set in ``font`` at ``size``."""
    widths = _winansi_widths()
    factor = _BOLD_WIDTH_FACTOR if font == BOLD else 1.0
    return sum(widths[byte] for byte in data) * size * factor / 1000


def wrap(data: bytes, size: float, width: float = TEXT_WIDTH, font: str = REGULAR) -> list[bytes]:
    """Greedy line breaking of one paragraph at spaces; a word wider than a line is cut."""
    lines: list[bytes] = []
    current = b""
    for word in data.split():
        candidate = current + b" " + word if current else word
        if text_width(candidate, size, font) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word, size, font) > width:
            cut = _longest_prefix_fitting(word, size, width, font)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _longest_prefix_fitting(word: bytes, size: float, width: float, font: str) -> int:
    cut = 1
    while cut < len(word) and text_width(word[: cut + 1], size, font) <= width:
        cut += 1
    return cut


def pdf_string(data: bytes) -> bytes:
    """A PDF literal string: delimiters escaped, bytes outside printable ASCII as octal."""
    escaped = _UNSAFE_STRING_BYTES.sub(lambda m: b"\\%03o" % m.group()[0], data)
    return b"(" + escaped + b")"


# Writer -----------------------------------------------------------------------------------------


def _write_pdf(objects: Sequence[bytes], info_number: int) -> bytes:
    """A PDF 1.4 file of ``objects`` (numbered from 1, object 1 the catalog) with its xref."""
    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_offset = len(output)
    output += b"xref\n0 %d\n" % (len(objects) + 1)
    output += b"0000000000 65535 f \n"
    for offset in offsets:
        output += b"%010d 00000 n \n" % offset
    output += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info_number,
        xref_offset,
    )
    return bytes(output)


def _pages_pdf(page_streams: Sequence[bytes], info: Mapping[str, str]) -> bytes:
    """A document of A4 pages, one content stream each, sharing the two Helvetica fonts.

    Objects: 1 catalog, 2 page tree, 3-4 fonts, 5 information dictionary, then for each page
    its page object and its content stream.
    """
    if not page_streams:
        raise ValueError("a PDF needs at least one page")
    first_page = 6
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(len(page_streams)))
    info_entries = b" ".join(
        b"/" + key.encode("ascii") + b" " + pdf_string(value.encode("ascii", "replace"))
        for key, value in info.items()
    )
    fonts = b" ".join(
        b"/%s %d 0 R" % (name.encode("ascii"), 3 + i) for i, name in enumerate(_FONTS)
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_streams)),
        *(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
            % base_font.encode("ascii")
            for base_font in _FONTS.values()
        ),
        b"<< " + info_entries + b" >>",
    ]
    for index, stream in enumerate(page_streams):
        content_number = first_page + 2 * index + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << %s >> >> /Contents %d 0 R >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, fonts, content_number)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _write_pdf(objects, info_number=5)


def _show(font: str, size: float, x: float, y: float, data: bytes) -> bytes:
    return b"BT /%s %.2f Tf %.2f %.2f Td %s Tj ET" % (
        font.encode("ascii"),
        size,
        x,
        y,
        pdf_string(data),
    )


# Stand-in ---------------------------------------------------------------------------------------


def stand_in_pdf(real_url: str) -> bytes:
    """A one-page PDF saying it stands in for ``real_url``."""
    url_data, _ = encode_winansi(real_url)
    url_size = min(10.0, TEXT_WIDTH * 10.0 / max(text_width(url_data, 10.0), 1.0))
    lines = [
        (BOLD, 14.0, "Stand-in document"),
        (REGULAR, 10.0, STAND_IN_LINES[0]),
        (REGULAR, 10.0, STAND_IN_LINES[1]),
        (REGULAR, url_size, real_url),
    ]
    y = PAGE_HEIGHT - MARGIN - 20
    operations = []
    for font, size, text in lines:
        operations.append(_show(font, size, MARGIN, y, encode_winansi(text)[0]))
        y -= 24
    info = {"Title": "Stand-in document", "Producer": PRODUCER, "Subject": real_url}
    return _pages_pdf([b"\n".join(operations)], info)


# Regulation 28 report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    font: str
    size: float
    leading: float  # baseline to baseline
    space_before: float  # extra space above a block's first line


_TITLE = _Style(BOLD, 13.0, 17.0, 0.0)
_HEADING = _Style(BOLD, 10.5, 14.0, 12.0)
_BODY = _Style(REGULAR, 10.0, 13.0, 5.0)


@dataclass(frozen=True)
class BuiltPdf:
    data: bytes
    page_count: int
    replaced_characters: int  # characters outside cp1252, printed as "?"


def regulation28_pdf(sent_to: str | None, sections: Sequence[tuple[str, str, str]]) -> bytes:
    """The report laid out like the Regulation 28 template (see ``build_regulation28_pdf``)."""
    return build_regulation28_pdf(sent_to, sections).data


def build_regulation28_pdf(
    sent_to: str | None, sections: Sequence[tuple[str, str, str]]
) -> BuiltPdf:
    """Title line, the addressee block when ``sent_to`` has text, then each (number, heading,
    text) section: "N HEADING" on its own line, then the text's paragraphs, wrapped; a new page
    starts when one is full."""
    blocks: list[tuple[_Style, str]] = [(_TITLE, REGULATION28_TITLE)]
    if sent_to is not None and not isinstance(sent_to, str):
        raise TypeError(f"sent_to must be a string or None, not {type(sent_to).__name__}")
    if sent_to and sent_to.strip():
        blocks.append((_HEADING, ADDRESSEE_HEADING))
        blocks.extend((_BODY, paragraph) for paragraph in paragraphs(sent_to))
    for position, section in enumerate(sections):
        if not (
            isinstance(section, tuple)
            and len(section) == 3
            and all(isinstance(part, str) for part in section)
        ):
            raise TypeError(
                f"section {position} must be a (number, heading, text) tuple of strings, "
                f"not {section!r:.80}"
            )
        number, heading, text = section
        if not number.strip():
            raise ValueError(f"section {position} ({heading!r}) has no number")
        blocks.append((_HEADING, f"{number} {heading}".strip()))
        blocks.extend((_BODY, paragraph) for paragraph in paragraphs(text))
    lines: list[tuple[_Style, bytes, bool]] = []  # (style, text, first line of its block)
    replaced = 0
    for style, text in blocks:
        data, count = encode_winansi(text)
        replaced += count
        wrapped = wrap(data, style.size, font=style.font) or [b""]
        lines.extend((style, line, index == 0) for index, line in enumerate(wrapped))
    pages = _paginate(lines)
    info = {
        "Title": "Regulation 28: Report to prevent future deaths",
        "Producer": PRODUCER,
        "Subject": "The report's text as published, laid out by the offline snapshot; "
        "not the original document",
    }
    return BuiltPdf(_pages_pdf(pages, info), len(pages), replaced)


def _paginate(lines: Sequence[tuple[_Style, bytes, bool]]) -> list[bytes]:
    pages: list[bytes] = []
    operations: list[bytes] = []
    top = PAGE_HEIGHT - MARGIN
    y = top
    for style, data, first_of_block in lines:
        gap = style.space_before if first_of_block and y < top else 0.0
        # A heading keeps a line of its text below it on the same page.
        needed = style.leading + (_BODY.leading if style is _HEADING else 0.0)
        if y - gap - needed < MARGIN and operations:
            pages.append(b"\n".join(operations))
            operations = []
            y = top
            gap = 0.0
        y -= gap + style.leading
        if data:
            operations.append(_show(style.font, style.size, MARGIN, y, data))
    pages.append(b"\n".join(operations))
    return pages
