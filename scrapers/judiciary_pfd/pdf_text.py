"""Text of a report PDF, with pypdf (BSD licensed). Bounded: at most ``max_pages`` pages are read
(the download size is bounded by the spider's request). A PDF that cannot be read gives no text
and a warning saying why, never an exception."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

PDF_MAGIC = b"%PDF-"
# The header may follow a little junk; the spec allows it within the first 1024 bytes.
MAGIC_WINDOW = 1024
EOF_MARKER = b"%%EOF"
EOF_WINDOW = 2048


@dataclass(frozen=True)
class PdfText:
    text: str | None  # None when unreadable
    page_count: int | None
    warnings: list[str] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.text is not None


def looks_complete(body: bytes) -> bool:
    """A whole PDF ends with %%EOF (a download cut short does not)."""
    return EOF_MARKER in body[-EOF_WINDOW:]


def extract_pdf_text(body: bytes, *, max_pages: int) -> PdfText:
    """The text of the first ``max_pages`` pages, pages joined by a newline."""
    if max_pages < 1:
        raise ValueError(f"max_pages must be at least 1, got {max_pages}")
    if PDF_MAGIC not in body[:MAGIC_WINDOW]:
        start = body[:16].decode("latin-1", errors="replace")
        return PdfText(None, None, [f"unreadable PDF: not a PDF file (it starts with {start!r})"])
    from pypdf import PdfReader  # imported here: only PDF callbacks need it

    # pypdf logs every recoverable oddity of real-world PDFs; they are not ours to report.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return PdfText(None, None, ["unreadable PDF: encrypted with a password"])
        page_count = len(reader.pages)
    except Exception as error:  # any parser failure means "unreadable"
        return PdfText(None, None, [f"unreadable PDF: {type(error).__name__}: {error}"])
    warnings = []
    if page_count > max_pages:
        warnings.append(f"read the first {max_pages} of {page_count} pages")
    texts = []
    for number in range(min(page_count, max_pages)):
        try:
            texts.append(reader.pages[number].extract_text() or "")
        except Exception as error:  # one bad page does not lose the others
            warnings.append(f"page {number + 1}: no text ({type(error).__name__}: {error})")
    text = "\n".join(texts)
    if not text.strip():
        warnings.append("unreadable PDF: no text layer (a scanned image?)")
        return PdfText(None, page_count, warnings)
    return PdfText(text, page_count, warnings)
