"""A log page as blocks: its headings, paragraphs and list items in document order, the unit the
page parsers in ``scrapers.hssib_recommendations.parsing`` walk (they find sections by label text).

Text is kept verbatim: ``<br>`` becomes "\\n" and nothing inside a block is trimmed or collapsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrapers.common.html import SKIPPED_TAGS, element_text
from scrapers.hssib_recommendations import selectors as sel


def _tag(element: Any) -> str | None:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else None  # None: comments and the like


@dataclass(frozen=True)
class Block:
    """One heading, paragraph or list item of a page, in document order."""

    tag: str
    text: str
    links: tuple[tuple[str, str], ...] = ()  # (href, link text)
    in_list: bool = False

    @property
    def label(self) -> str:
        return self.text.strip()

    @property
    def is_heading(self) -> bool:
        return self.tag in sel.HEADING_TAGS


def _has_block_descendant(element: Any) -> bool:
    return any(_tag(node) in sel.BLOCK_TAGS for node in element.iterdescendants())


def _is_snapshot_note(element: Any) -> bool:
    return sel.SNAPSHOT_NOTE_CLASS in (element.get("class") or "").split()


def page_blocks(container: Any) -> list[Block]:
    """Flatten a container (lxml element) into its blocks: headings, paragraphs, list items.

    A container with no block inside it (e.g. ``<div><span>Label:</span> value</div>``) counts
    as one block. The snapshot's own provenance notes are skipped.
    """
    blocks: list[Block] = []

    def walk(element: Any, in_list: bool) -> None:
        for child in element:
            tag = _tag(child)
            if tag is None or tag in SKIPPED_TAGS or _is_snapshot_note(child):
                continue
            if tag in sel.BLOCK_TAGS or not _has_block_descendant(child):
                if (
                    tag in ("a", "span", "strong", "em", "b", "i")
                    and not element_text(child).strip()
                ):
                    continue
                links = tuple(
                    (link.get("href") or "", element_text(link).strip())
                    for link in ([child] if tag == "a" else child.iterdescendants("a"))
                )
                blocks.append(Block(tag, element_text(child), links, in_list))
            else:
                walk(child, in_list or tag in ("ul", "ol"))

    walk(container, False)
    return blocks


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
