"""Header label matching ("Coroner's Area : Suffolk"): shared by the page header parser and the
report text parser (whose addressee block starts with a "sent to" label). Pure functions."""

from __future__ import annotations

import re
from functools import lru_cache

from scrapers.common.html import strip_ascii
from scrapers.judiciary_pfd import selectors as sel


@lru_cache(maxsize=1)
def _label_patterns() -> tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]:
    """(field, "Label: value" pattern, bare-label pattern for table headers), longest first."""
    compiled = []
    variants = [(field, label) for field, labels in sel.HEADER_LABELS.items() for label in labels]
    for field, label in sorted(variants, key=lambda pair: len(pair[1]), reverse=True):
        words = [re.escape(word).replace("'", "['’]") for word in label.split()]
        label_pattern = r"\s+".join(words)
        line = re.compile(
            rf"^\s*(?P<label>{label_pattern})\s*:(?P<value>.*)$", re.IGNORECASE | re.DOTALL
        )
        bare = re.compile(rf"^\s*(?P<label>{label_pattern})\s*:?\s*$", re.IGNORECASE)
        compiled.append((field, line, bare))
    return tuple(compiled)


def match_header_line(text: str) -> tuple[str, str, str] | None:
    """``(field, label as seen, raw value)`` when a line starts with a known label, else None."""
    for field, line_pattern, _ in _label_patterns():
        match = line_pattern.match(text)
        if match:
            return field, match.group("label"), strip_ascii(match.group("value"))
    return None


def match_header_label(text: str) -> tuple[str, str] | None:
    """``(field, label as seen)`` for a bare label such as a table header cell."""
    for field, _, bare_pattern in _label_patterns():
        match = bare_pattern.match(text)
        if match:
            return field, match.group("label")
    return None


def match_addressee_label(text: str) -> str | None:
    """The text after a "sent to" label ("THIS REPORT IS BEING SENT TO: NHS England" ->
    "NHS England"; the bare label -> ""), or None when the line is not one."""
    matched = match_header_line(text)
    if matched and matched[0] == sel.ADDRESSEE_FIELD:
        return matched[2]
    bare = match_header_label(text)
    if bare and bare[0] == sel.ADDRESSEE_FIELD:
        return ""
    return None
