"""Pure parsing of HSSIB safety recommendations log pages (listing, log items, investigations).

Every function takes HTML (or a parsel/Scrapy selector) and plain values and returns plain data;
nothing fetches, writes or reads the clock. Selectors, labels and phrases live in
``scrapers.hssib_selectors``. Text is kept verbatim: ``<br>`` becomes "\\n", paragraphs of one
section are joined with a blank line, and nothing inside a paragraph is trimmed or collapsed.

Due dates of planned actions ("by September 2024", "by Autumn 2025", "by November - December
2025") are read as the END of the period they name, because an action is past due only once the
whole period has passed:

- a month: its last day ("by September 2024" -> 2024-09-30);
- a season, meteorological as the Met Office uses them: spring March-May, summer June-August,
  autumn September-November, winter December-February; the season's last day ("by Autumn 2025" ->
  2025-11-30). "Winter 2025" is read as December 2025 to February 2026 (-> 2026-02-28) and the
  parse says so in a warning, since some writers mean January-February 2025;
- a range ("November - December 2025", "Spring to Summer 2024"): the end of its last period;
- a quarter ("Q3 2025"): the quarter's last day (calendar quarters);
- a bare year ("by 2026", "by the end of 2026"): 31 December.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

from scrapers import hssib_selectors as sel
from scrapers.parsing import (
    ASCII_WHITESPACE,
    SKIPPED_TAGS,
    as_selector,
    element_text,
    origin_of,
)

# ------------------------------------------------------------------------------------------------
# URLs


def is_real_site_url(url: str) -> bool:
    """Whether a URL is on hssib.org.uk itself (so its path is a real address)."""
    return (urlsplit(url).hostname or "").lower() in sel.REAL_HOSTS


def canonicalize_url(url: str, crawl_origin: str) -> str:
    """Put a URL on the real origin, https://www.hssib.org.uk, when it is on the crawled origin
    or on hssib.org.uk already (with or without www). Other URLs are returned unchanged."""
    parts = urlsplit(url)
    this_origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    if this_origin != origin_of(crawl_origin) and not is_real_site_url(url):
        return url
    canonical = urlsplit(sel.CANONICAL_ORIGIN)
    return urlunsplit((canonical.scheme, canonical.netloc, parts.path, parts.query, parts.fragment))


# ------------------------------------------------------------------------------------------------
# Text


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


# ------------------------------------------------------------------------------------------------
# Dates


MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _number
        MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9

# Season -> (first month, last month); winter's last month falls in the next year.
SEASONS: dict[str, tuple[int, int]] = {
    "spring": (3, 5),
    "summer": (6, 8),
    "autumn": (9, 11),
    "fall": (9, 11),
    "winter": (12, 2),
}

_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
_SEASON_WORD = "|".join(SEASONS)
_PERIOD = rf"(?:{_MONTH_WORD}|{_SEASON_WORD})"
_DAY_MONTH_YEAR = re.compile(
    rf"^\s*(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_WORD})\.?,?\s+(?P<year>\d{{4}})\s*$",
    re.IGNORECASE,
)
# "by [the] [end of] [<period> [<year>] - ]<period> <year>", or a quarter, or a bare year.
_DUE_PHRASE = re.compile(
    rf"\bby\s+(?:the\s+)?(?:end\s+of\s+)?"
    rf"(?:(?P<first>{_PERIOD})(?:\s+(?P<first_year>\d{{4}}))?\s*(?:-|–|—|to|and)\s*)?"
    rf"(?:(?P<last>{_PERIOD})|(?P<quarter>Q[1-4]))\s+(?P<year>\d{{4}})\b"
    rf"|\bby\s+(?:the\s+)?(?:end\s+of\s+)?(?P<bare_year>\d{{4}})\b",
    re.IGNORECASE,
)


def parse_day_month_year(text: str | None) -> date | None:
    """'25 August 2025' (also '25th August 2025', '1 Sept 2021') -> date; None if not that."""
    if not text:
        return None
    match = _DAY_MONTH_YEAR.match(text)
    if not match:
        return None
    try:
        return date(
            int(match["year"]), MONTHS[match["month"].lower().rstrip(".")], int(match["day"])
        )
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class DueDate:
    text: str  # the phrase as written, e.g. "by November - December 2025"
    due_date: date  # the END of the period (see the module docstring)
    rule: str  # "month" | "season" | "month_range" | "season_range" | "quarter" | "year"
    warnings: tuple[str, ...] = ()


def _period_end(word: str, year: int) -> tuple[date, str, tuple[str, ...]]:
    key = word.lower()
    if key in MONTHS:
        return _month_end(year, MONTHS[key]), "month", ()
    first, last = SEASONS[key]
    if last < first:  # winter runs into the next year
        note = (
            f"'{word} {year}' read as December {year} to February {year + 1}; "
            f"due date is the end of February {year + 1}"
        )
        return _month_end(year + 1, last), "season", (note,)
    return _month_end(year, last), "season", ()


def find_due_phrase(text: str) -> DueDate | None:
    """The LAST due phrase in an action's text ("..., by September 2024."), parsed; or None.

    The last one is taken because an action's description can itself contain "by <body>"
    ("ratification by RCPCH Medicines Committee by Autumn 2022"); only phrases naming a month,
    season, quarter or year count.
    """
    matches = list(_DUE_PHRASE.finditer(text))
    if not matches:
        return None
    match = matches[-1]
    phrase = match.group(0)
    if match["bare_year"]:
        return DueDate(phrase, date(int(match["bare_year"]), 12, 31), "year")
    year = int(match["year"])
    if match["quarter"]:
        quarter = int(match["quarter"][1])
        return DueDate(phrase, _month_end(year, quarter * 3), "quarter")
    due, kind, warnings = _period_end(match["last"], year)
    if match["first"]:
        first_year = int(match["first_year"]) if match["first_year"] else year
        start, _, _ = _period_end(match["first"], first_year)
        if start > due:
            warnings = (*warnings, f"due range {phrase!r} ends before it starts")
        return DueDate(phrase, due, f"{kind}_range", warnings)
    return DueDate(phrase, due, kind, warnings)


def parse_planned_action(text: str, position: int) -> tuple[dict, list[str]]:
    """One bullet of the actions list -> (action dict, warnings). ``text`` is kept verbatim."""
    warnings: list[str] = []
    description, sep, comments = text.partition(sel.ADDITIONAL_COMMENTS_LABEL)
    due = find_due_phrase(description)
    if due is None:
        warnings.append(f"action {position}: no due date in {_short(text)!r}")
    else:
        warnings.extend(f"action {position}: {warning}" for warning in due.warnings)
    return (
        {
            "position": position,
            "text": text,
            "description": description.strip(),
            "due_text": due.text if due else None,
            "due_date": due.due_date.isoformat() if due else None,
            "due_rule": due.rule if due else None,
            "additional_comments": comments.strip() if sep else None,
        },
        warnings,
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------------------------------
# Recipients

# Organisation names that contain "and"; the splitter never cuts inside these.
ORGANISATIONS_WITH_AND = (
    "NHS England and NHS Improvement",
    "Department of Health and Social Care",
    "HM Prison and Probation Service",
    "Her Majesty's Prison and Probation Service",
    "Medicines and Healthcare products Regulatory Agency",
    "Royal College of Paediatrics and Child Health",
    "National Institute for Health and Care Excellence",
    "National Institute for Health and Care Research",
    "Health and Safety Executive",
    "Health and Care Professions Council",
    "Nursing and Midwifery Council",
    "Department for Levelling Up, Housing and Communities",
    "Ministry of Housing, Communities and Local Government",
    "Royal College of Obstetricians and Gynaecologists",
    "Royal College of Physicians and Surgeons of Glasgow",
    "Healthcare Safety Investigation Branch",
    "Health Services Safety Investigations Body",
)
# Where the recipient phrase ends and collaborators (who are not recipients) begin.
_RECIPIENT_PHRASE_ENDS = (
    ":",
    ";",
    " working with",
    " working together with",
    " with input from",
    " with support from",
    " in collaboration with",
    " in conjunction with",
    " in partnership with",
    " together with",
    " supported by",
)
_COMMA_BEFORE_NON_NAME = re.compile(r",(?!\s+(?:the\s+)?[A-Z])")
# Words that can follow a body named as the subject of a recommendation without a prefix.
_SUBJECT_VERBS = frozenset({"should", "must", "will", "needs", "is", "are", "to"})
# Lower-case words that can sit inside an organisation's name; any other lower-case word ends it.
_NAME_INNER_WORDS = frozenset(
    {"and", "of", "for", "the", "on", "in", "products", "advisory", "board", "&"}
)
_NAME_EDGE_WORDS = frozenset({"and", "of", "for", "the", "on", "in", "&"})
_TRAILING_ACRONYM = re.compile(r"\s*\((?P<acronym>[A-Z][A-Za-z&]{1,12})\)\s*$")


@dataclass
class RecipientParse:
    names: list[str]
    source: str  # "recipient_heading" | "prefix" | "subject" | "none"
    prefix: str | None  # the recommending phrase as written, or None
    phrase: str | None  # the recipient words as written in the text
    warnings: list[str] = field(default_factory=list)


def split_recipient_names(phrase: str) -> list[str]:
    """'NHS England and the Medicines and Healthcare products Regulatory Agency' -> two names.

    Splits on commas and "and" except inside the known names in ``ORGANISATIONS_WITH_AND``;
    a leading lower-case "the" is dropped from each name ("The Shelford Group" keeps its "The").
    """
    placeholders: dict[str, str] = {}

    def protect(match: re.Match) -> str:
        token = f"\x00{len(placeholders)}\x00"
        placeholders[token] = match.group(0)
        return token

    protected = phrase
    for name in sorted(ORGANISATIONS_WITH_AND, key=len, reverse=True):
        protected = re.sub(re.escape(name), protect, protected, flags=re.IGNORECASE)
    parts = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", protected)
    names = []
    for part in parts:
        for token, original in placeholders.items():
            part = part.replace(token, original)
        part = part.strip()
        if part.startswith("the "):
            part = part[4:]
        if part:
            names.append(part)
    return names


def _recipient_words(sentence: str) -> str:
    """The organisation words at the start of ``sentence`` (before the verb or collaborators)."""
    end = len(sentence)
    # A comma ends the phrase unless another name follows it (a list of joint recipients).
    comma = _COMMA_BEFORE_NON_NAME.search(sentence)
    if comma:
        end = comma.start()
    for marker in _RECIPIENT_PHRASE_ENDS:
        found = sentence.find(marker)
        if found != -1:
            end = min(end, found)
    head = sentence[:end]
    kept: list[str] = []
    for word in head.split():
        bare = word.strip("()")
        if not bare or bare[0].isupper() or bare[0].isdigit() or word.lower() in _NAME_INNER_WORDS:
            kept.append(word)
            continue
        break
    while kept and kept[-1].lower() in _NAME_EDGE_WORDS:
        kept.pop()
    return " ".join(kept)


def parse_recipients(
    recommendation_text: str, recipient_heading: str | None = None
) -> RecipientParse:
    """Recipients of a recommendation: from a recipient heading if the page has one, else from
    "HSSIB recommends that ...", "HSIB recommends that ...", "It is recommended that ..." at the
    start of a paragraph, else from the subject of the first paragraph ("The MHRA should ...").
    """
    warnings: list[str] = []
    prefix = None
    phrase = None
    sentence = None
    for paragraph in recommendation_text.split("\n"):
        stripped = paragraph.lstrip()
        for candidate in sel.RECOMMENDATION_PREFIXES:
            if stripped.startswith(candidate):
                prefix = candidate
                sentence = stripped[len(candidate) :].lstrip()
                break
        if prefix:
            break
    if sentence is not None:
        phrase = _recipient_words(sentence)
        source = "prefix"
    else:
        first = next((p.strip() for p in recommendation_text.split("\n") if p.strip()), "")
        phrase = _recipient_words(first)
        following = first[len(phrase) :].split()
        if not following or following[0].lower() not in _SUBJECT_VERBS:
            phrase = ""  # not "<body> should ...": no recipient can be read from it
        if phrase.startswith("The "):  # sentence-initial capital, not part of the name
            phrase = phrase[4:]
        source = "subject"
    text_names = split_recipient_names(phrase) if phrase else []
    if recipient_heading and recipient_heading.strip():
        heading = _TRAILING_ACRONYM.sub("", recipient_heading.strip())
        names = split_recipient_names(heading)
        return RecipientParse(names, "recipient_heading", prefix, phrase or None, warnings)
    if not text_names:
        warnings.append("no recipient found in the recommendation text")
        return RecipientParse([], "none", prefix, None, warnings)
    return RecipientParse(text_names, source, prefix, phrase, warnings)


# ------------------------------------------------------------------------------------------------
# Pages


def _label_is(label: str, expected: str) -> bool:
    return label.casefold() == expected.casefold()


def _starts_with_label(label: str, expected: str) -> bool:
    return label.casefold().startswith(expected.casefold())


def _main_container(selector: Selector) -> Any:
    for css in sel.MAIN_CONTENT.split(","):
        found = selector.css(css.strip())
        if found:
            return found[0].root
    body = selector.css("body")
    return (body[0] if body else selector).root


def _absolute(href: str, page_url: str) -> str:
    return urljoin(page_url, href.strip())


def has_page_footer(html_or_selector: Any) -> bool:
    """False when a page arrived cut off in transit (its footer never came)."""
    return bool(as_selector(html_or_selector).css(sel.PAGE_FOOTER))


def declared_log_url(selector: Selector, page_url: str) -> tuple[str | None, list[str]]:
    """The real address of a log item: the page's canonical link, else the crawled URL when it
    was crawled from hssib.org.uk itself, else unknown (None, with a warning)."""
    crawl_origin = origin_of(page_url)
    canonical = selector.css(sel.CANONICAL_LINK).get()
    if canonical and canonical.strip():
        return canonicalize_url(_absolute(canonical, page_url), crawl_origin), []
    if is_real_site_url(page_url):
        return canonicalize_url(page_url.split("#")[0], crawl_origin), []
    return None, ["log item address on hssib.org.uk not known: the page declares no canonical link"]


_SECTION_OF_STATE = {
    "start": "header",
    "awaiting_date": "header",
    "recipient": "header",
    "recommendation": "recommendation",
    "response": "response",
    "actions": "actions",
    "links": "links",
    "received": "received",
    "additional": "additional_section",
}


def parse_recommendation_page(html_or_selector: Any, page_url: str) -> dict:
    """Parse one log item page into plain fields (those of HssibRecommendationItem).

    ``page_url`` is the URL the page was fetched from; links are resolved against it and put on
    the real origin.
    """
    selector = as_selector(html_or_selector)
    crawl_origin = origin_of(page_url)
    warnings: list[str] = []
    log_url, log_warnings = declared_log_url(selector, page_url)
    warnings.extend(log_warnings)

    page_title = None
    investigation_title = investigation_url = None
    date_raw = None
    date_label_seen = False
    recipient_heading = None
    reference = reference_source = None
    actions_heading = None
    links_label_present = False
    received_raw = None
    closure_note = None
    truncated = False
    truncated_in = None
    recommendation_paragraphs: list[str] = []
    response_paragraphs: list[str] = []
    action_texts: list[str] = []
    additional_sections: list[dict] = []
    state = "start"

    for block in page_blocks(_main_container(selector)):
        label = block.label
        if not label and state != "recommendation" and state != "response":
            continue
        if state == "awaiting_date":
            state = "start"
            if not block.is_heading and parse_day_month_year(label):
                date_raw = label
                continue
        if label.startswith(sel.CUT_OFF_NOTICE):
            truncated = True
            truncated_in = truncated_in or _SECTION_OF_STATE[state]
            continue
        if _label_is(label, sel.BACK_TO_LOG_TEXT):
            break
        if block.tag == "h1" and page_title is None and state == "start":
            page_title = label
            continue
        if _starts_with_label(label, sel.INVESTIGATION_LABEL):
            investigation_title = label[len(sel.INVESTIGATION_LABEL) :].strip() or None
            if block.links and block.links[0][0]:
                href = _absolute(block.links[0][0], page_url)
                investigation_url = canonicalize_url(href, crawl_origin)
            continue
        if _starts_with_label(label, sel.RECOMMENDATION_DATE_LABEL):
            date_label_seen = True
            value = label[len(sel.RECOMMENDATION_DATE_LABEL) :].strip()
            if value:
                date_raw = value
            else:
                state = "awaiting_date"
            continue
        if (
            block.is_heading
            and _starts_with_label(label, sel.RECOMMENDATION_HEADING)
            and (state in ("start", "recipient"))
        ):
            state = "recommendation"
            ref = sel.REFERENCE_ON_PAGE.search(label[len(sel.RECOMMENDATION_HEADING) :])
            if ref:
                reference, reference_source = ref.group(1), "page"
            continue
        if _label_is(label, sel.RESPONSE_HEADING):
            state = "response"
            continue
        matched_actions = next((h for h in sel.ACTIONS_HEADINGS if _label_is(label, h)), None)
        if matched_actions:
            actions_heading = label
            state = "actions"
            continue
        if _label_is(label, sel.LINKS_LABEL):
            links_label_present = True
            state = "links"
            continue
        received = sel.RESPONSE_RECEIVED.match(label)
        if received and not block.in_list:
            received_raw = received["date"].strip()
            state = "received"
            continue
        if state in ("start", "recipient") and block.is_heading:
            recipient_heading = label
            state = "recipient"
            continue
        if state in ("recommendation", "response") and sel.CLOSURE_NOTE.search(label):
            closure_note = block.text
            continue
        if block.is_heading and state in ("response", "actions", "links", "received", "additional"):
            additional_sections.append({"heading": label, "paragraphs": []})
            state = "additional"
            continue
        if state == "recommendation":
            recommendation_paragraphs.append(block.text)
        elif state == "response":
            response_paragraphs.append(block.text)
        elif state == "actions":
            action_texts.append(block.text.strip(ASCII_WHITESPACE) if block.in_list else block.text)
        elif state == "additional":
            additional_sections[-1]["paragraphs"].append(block.text)
        elif state == "links":
            continue  # the link list itself; link targets are not part of the record
        else:
            warnings.append(f"unexpected text in {_SECTION_OF_STATE[state]}: {_short(label)!r}")

    recommendation_text = "\n\n".join(recommendation_paragraphs) or None
    response_text = "\n\n".join(response_paragraphs) or None
    if recommendation_text is None:
        warnings.append("no safety recommendation text on the page")
    if date_label_seen and date_raw is None:
        warnings.append("recommendation date is empty")
    elif not date_label_seen:
        warnings.append("no recommendation date label (page has no header block)")
    recommendation_date = parse_day_month_year(date_raw)
    if date_raw and recommendation_date is None:
        warnings.append(f"unparseable recommendation date: {date_raw!r}")

    recipients = parse_recipients(recommendation_text or "", recipient_heading)
    warnings.extend(recipients.warnings)

    if reference is None and response_text:
        quoted = sel.REFERENCE_QUOTED.search(response_text)
        if quoted:
            reference = quoted.group(1) or quoted.group(2)
            reference_source = "response_text"

    planned_actions = []
    for position, text in enumerate(action_texts, start=1):
        action, action_warnings = parse_planned_action(text, position)
        planned_actions.append(action)
        warnings.extend(action_warnings)
    if actions_heading and not planned_actions:
        warnings.append("actions heading with no actions under it")

    received_date = parse_day_month_year(received_raw)
    if received_raw and received_date is None:
        warnings.append(f"unparseable response received date: {received_raw!r}")
    if response_text and received_raw is None and not truncated:
        warnings.append("response without a 'Response received on' date")
    if truncated:
        warnings.append(f"record cut off in the stored copy (in {truncated_in})")

    return {
        "page_title": page_title,
        "log_url": log_url,
        "investigation_title": investigation_title,
        "investigation_url": investigation_url,
        "reference": reference,
        "reference_source": reference_source,
        "recommendation_date_raw": date_raw,
        "recommendation_date": recommendation_date.isoformat() if recommendation_date else None,
        "recipient_heading": recipient_heading,
        "recommendation_prefix": recipients.prefix,
        "recipient_phrase": recipients.phrase,
        "recipients": recipients.names,
        "recipients_source": recipients.source,
        "recommendation_text": recommendation_text,
        "response_text": response_text,
        "closure_note": closure_note,
        "actions_heading": actions_heading,
        "planned_actions": planned_actions,
        "links_label_present": links_label_present,
        "additional_sections": [
            {"heading": s["heading"], "text": "\n\n".join(s["paragraphs"])}
            for s in additional_sections
        ],
        "response_received_raw": received_raw,
        "response_received_date": received_date.isoformat() if received_date else None,
        "truncated": truncated,
        "truncated_in": truncated_in,
        "parse_warnings": warnings,
    }


@dataclass(frozen=True)
class ListingEntry:
    item_url: str  # absolute, on the crawled origin (to fetch)
    investigation_title: str | None
    investigation_url: str | None  # absolute, on the crawled origin


@dataclass(frozen=True)
class ListingPage:
    entries: list[ListingEntry]
    next_page_url: str | None  # absolute, on the crawled origin


def parse_listing_page(html_or_selector: Any, page_url: str) -> ListingPage:
    """Entries of one safety recommendations log listing page, and the next page's URL."""
    selector = as_selector(html_or_selector)
    entries = []
    for entry in selector.css(sel.LISTING_ENTRY):
        href = entry.css(sel.LISTING_ENTRY_ITEM_LINK).get()
        if not href:
            continue
        investigation = entry.css(sel.LISTING_ENTRY_INVESTIGATION_LINK)
        investigation_title = investigation_url = None
        if investigation:
            investigation_title = element_text(investigation[0].root).strip() or None
            link = investigation[0].attrib.get("href")
            investigation_url = _absolute(link, page_url) if link else None
        entries.append(
            ListingEntry(_absolute(href, page_url), investigation_title, investigation_url)
        )
    next_href = selector.css(sel.LISTING_NEXT_PAGE).get()
    return ListingPage(entries, _absolute(next_href, page_url) if next_href else None)


def parse_investigation_page(html_or_selector: Any, page_url: str) -> dict:
    """An investigation page: its title, canonical URL and each recommendation block.

    Each block gives the recipient heading, the recommendation text and the log item link
    (absolute, on the crawled origin) when the page links one.
    """
    selector = as_selector(html_or_selector)
    crawl_origin = origin_of(page_url)
    title_node = selector.css(sel.INVESTIGATION_TITLE)
    title = element_text(title_node[0].root).strip() if title_node else None
    canonical = selector.css(sel.CANONICAL_LINK).get()
    url = canonicalize_url(_absolute(canonical or page_url, page_url).split("#")[0], crawl_origin)
    blocks = []
    for position, block in enumerate(selector.css(sel.INVESTIGATION_BLOCK), start=1):
        heading = block.css(sel.INVESTIGATION_BLOCK_RECIPIENT)
        heading_text = element_text(heading[0].root).strip() if heading else None
        link = block.css(sel.INVESTIGATION_BLOCK_LOG_LINK).get()
        paragraphs = []
        truncated = False
        for node in page_blocks(block.root):
            if node.is_heading or (link and any(href == link for href, _ in node.links)):
                continue
            if node.label.startswith(sel.CUT_OFF_NOTICE):
                truncated = True
                continue
            paragraphs.append(node.text)
        blocks.append(
            {
                "position": position,
                "recipient_heading": heading_text,
                "recommendation_text": "\n\n".join(paragraphs) or None,
                "log_item_url": _absolute(link, page_url) if link else None,
                "truncated": truncated,
            }
        )
    return {"title": title, "url": url, "recommendations": blocks}


def recommendation_from_investigation_block(block: dict, investigation: dict) -> dict:
    """Fields for a recommendation known only from its investigation page (no log item link)."""
    text = block["recommendation_text"] or ""
    recipients = parse_recipients(text, block["recipient_heading"])
    warnings = ["no log item page linked: fields taken from the investigation page"]
    warnings.extend(recipients.warnings)
    if block["truncated"]:
        warnings.append("record cut off in the stored copy (in recommendation)")
    return {
        "page_title": investigation["title"],
        "log_url": None,
        "investigation_title": investigation["title"],
        "investigation_url": investigation["url"],
        "reference": None,
        "reference_source": None,
        "recommendation_date_raw": None,
        "recommendation_date": None,
        "recipient_heading": block["recipient_heading"],
        "recommendation_prefix": recipients.prefix,
        "recipient_phrase": recipients.phrase,
        "recipients": recipients.names,
        "recipients_source": recipients.source,
        "recommendation_text": block["recommendation_text"],
        "response_text": None,
        "closure_note": None,
        "actions_heading": None,
        "planned_actions": [],
        "links_label_present": False,
        "additional_sections": [],
        "response_received_raw": None,
        "response_received_date": None,
        "truncated": block["truncated"],
        "truncated_in": "recommendation" if block["truncated"] else None,
        "parse_warnings": warnings,
    }
