"""HTML helpers every source's parser uses: selectors from any input, element text with ``<br>``
as a newline (or with every block on its own line), ASCII-only stripping, and the origin of a URL.
Pure functions, no I/O."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

ASCII_WHITESPACE = " \t\n\r\f\v"
SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript"})
# Elements that start a new line in block_text.
BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd tr td th table tbody thead section article aside blockquote "
    "h1 h2 h3 h4 h5 h6".split()
)


def strip_ascii(text: str) -> str:
    """Strip ASCII whitespace only: a non-breaking space at either end is kept as data."""
    return text.strip(ASCII_WHITESPACE)


def as_selector(html_or_selector: str | bytes | Selector | Any) -> Selector:
    if isinstance(html_or_selector, Selector):
        return html_or_selector
    if isinstance(html_or_selector, bytes):
        return Selector(text=html_or_selector.decode("utf-8", errors="replace"))
    if isinstance(html_or_selector, str):
        return Selector(text=html_or_selector)
    # A Scrapy response (or anything else exposing .selector).
    selector = getattr(html_or_selector, "selector", None)
    if isinstance(selector, Selector):
        return selector
    raise TypeError(
        f"expected HTML text, bytes, a parsel Selector or a Scrapy response, "
        f"got {type(html_or_selector).__name__}"
    )


def _joined_text(node: Selector | Any, block_tags: frozenset[str]) -> str:
    """The text of an element and its descendants with ``<br>`` as "\\n", comments and scripts
    dropped, and a "\\n" before and after every element whose tag is in ``block_tags``."""
    parts: list[str] = []

    def walk(element: Any) -> None:
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            return
        tag = tag.lower()
        if tag == "br":
            parts.append("\n")
            return
        if tag in SKIPPED_TAGS:
            return
        is_block = tag in block_tags
        if is_block:
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if is_block:
            parts.append("\n")

    root = node.root if isinstance(node, Selector) else node
    if isinstance(root, str):
        return root
    walk(root)
    return "".join(parts)


def element_text(node: Selector | Any) -> str:
    """Text of one element (a parsel Selector or an lxml element) with ``<br>`` as "\\n",
    comments and scripts dropped, not stripped."""
    return _joined_text(node, frozenset())


def block_text(node: Selector | Any) -> str:
    """Text of an element with ``<br>`` and every block element (paragraph, list item, cell ...)
    on its own line: lines stripped of ASCII whitespace, blank lines dropped."""
    root = node.root if isinstance(node, Selector) else node
    if isinstance(root, str):  # a text node is returned as it is
        return root
    lines = (strip_ascii(line) for line in _joined_text(root, BLOCK_TAGS).split("\n"))
    return "\n".join(line for line in lines if line)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"not an absolute URL (need scheme and host): {url!r}")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
