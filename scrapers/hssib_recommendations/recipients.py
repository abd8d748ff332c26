"""Recipients of a recommendation: read from a recipient heading, from the words after "HSSIB
recommends that" (and its variants), or from the subject of the first sentence; collaborators
("working with", "in collaboration with", ...) are not recipients.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scrapers.hssib_recommendations import selectors as sel

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
