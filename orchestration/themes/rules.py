"""Theme rules (themes.yml): load and validate them, and apply them to a report's sections.

A rule is a term (a phrase matched on word boundaries, case-insensitive: a space matches any run
of spaces or hyphens, ``*`` at the end of a word matches the rest of the word) or a regex. An
exclusion (same syntax) cancels a match it overlaps, in place: "falls within" cancels the "falls"
inside it and no other. A theme is assigned when at least ``min_matches`` matches survive in its
sections; the evidence is the first surviving match in the section a reader looks at first
(concerns, then action, circumstances, inquest), with the sentence around it.

Pure Python and the standard library plus PyYAML: the dbt model, ``pfdw quality`` and the tests
all call ``assign_themes`` so there is one matcher.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).with_name("themes.yml")
# The four sections the index and the themes read (issue 16 contract), in the contract's order.
SEARCHABLE_SECTIONS = (
    "circumstances_of_death",
    "coroners_concerns",
    "action_should_be_taken",
    "investigation_and_inquest",
)
# Where a reader looks first for why a theme was given: the coroner's own concerns.
EVIDENCE_ORDER = (
    "coroners_concerns",
    "action_should_be_taken",
    "circumstances_of_death",
    "investigation_and_inquest",
)
STATUSES = ("reviewed", "experimental")
THEME_KEYS = frozenset(
    {"id", "label", "description", "status", "terms", "regex", "exclusions", "sections"}
    | {"min_matches"}
)
CONTEXT_LIMIT = 300
HEAD = 3
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n")


class ThemeRulesError(ValueError):
    """A rules file that cannot be used: the message names the file, theme and key."""


@dataclass(frozen=True)
class Pattern:
    source: str  # as written in the YAML (for error messages and docs)
    compiled: re.Pattern
    sections: tuple[str, ...]

    @property
    def is_term(self) -> bool:
        return self.compiled.pattern == term_regex(self.source)

    @property
    def anchor(self) -> tuple[str, bool] | None:
        """(word characters a match must start with, lower case; whether they are the whole
        first word): the text's words are looked up by it instead of scanning the text with the
        regex. None when no such prefix can be told (a regex starting with a group), which scans."""
        if self.is_term:
            first = self.source.lower().split()[0]
            prefix = re.match(r"\w*", first).group()
            return (prefix, prefix == first) if prefix else None
        literal = re.match(r"\\b([a-z]+)([?*{]?)", self.source, re.IGNORECASE)
        if not literal or _has_top_level_alternation(self.source):
            return None
        prefix = literal.group(1).lower()[: -1 if literal.group(2) else None]
        return (prefix, False) if prefix else None

    @cached_property
    def lowercase(self) -> re.Pattern:
        """The pattern for lower-cased text: case-insensitive matching is four times slower."""
        if self.is_term:
            return re.compile(term_regex(self.source.lower()))
        return self.compiled


def _has_top_level_alternation(source: str) -> bool:
    """'a|b' outside any group: the match need not start with the first branch's word."""
    depth, escaped, in_class = 0, False, False
    for character in source:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif in_class:
            in_class = character != "]"
        elif character == "[":
            in_class = True
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif character == "|" and depth == 0:
            return True
    return False


@dataclass(frozen=True)
class Theme:
    theme_id: str
    label: str
    description: str
    status: str
    patterns: tuple[Pattern, ...]
    exclusions: tuple[Pattern, ...]
    min_matches: int

    @cached_property
    def exclusion(self) -> re.Pattern | None:
        """All exclusions in one alternation, for lower-cased text."""
        sources = [
            e.lowercase.pattern if e.is_term else f"(?i:{e.compiled.pattern})"
            for e in self.exclusions
        ]
        return re.compile("|".join(f"(?:{s})" for s in sources)) if sources else None


@dataclass(frozen=True)
class ThemeRules:
    version: int
    digest: str  # sha256 of the file's bytes: a changed rule changes it even without a new version
    themes: tuple[Theme, ...]

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.theme_id == theme_id)

    @cached_property
    def index(self) -> _WordIndex:
        return _WordIndex(self.themes)


class _WordIndex:
    """Every term of every theme filed under its anchor (the word prefix its match starts with):
    one pass over a section's words finds where a term can start, and only there is its regex
    tried. Regex rules without an anchor scan the text. On the snapshot (1,638 reports) this
    takes about 4.5 s where one case-insensitive regex per term took about 60 s."""

    def __init__(self, themes: Iterable[Theme]) -> None:
        self.by_word: dict[str, list[tuple[int, Pattern]]] = {}  # the whole first word
        self.by_prefix: dict[str, list[tuple[int, Pattern]]] = {}  # a stem or part of it
        self.scanning: list[tuple[int, Pattern]] = []
        for number, theme in enumerate(themes):
            for pattern in theme.patterns:
                anchor = pattern.anchor
                if anchor is None:
                    self.scanning.append((number, pattern))
                else:
                    table = self.by_word if anchor[1] else self.by_prefix
                    table.setdefault(anchor[0], []).append((number, pattern))
        # Prefixes filed under their first three characters: one look-up per word, then a
        # startswith test; the few shorter ones ("s" of "s.136") are looked up by length.
        self.by_head: dict[str, list[tuple[str, list[tuple[int, Pattern]]]]] = {}
        for prefix, entries in self.by_prefix.items():
            if len(prefix) >= HEAD:
                self.by_head.setdefault(prefix[:HEAD], []).append((prefix, entries))
        self.short_lengths = sorted({len(p) for p in self.by_prefix if len(p) < HEAD})

    def spans(self, section_key: str, text: str) -> dict[int, set[tuple[int, int]]]:
        """theme number -> spans of its rules in one lower-cased section text."""
        found: dict[int, set[tuple[int, int]]] = {}
        by_word, by_head, by_prefix = self.by_word, self.by_head, self.by_prefix
        for word in _WORD.finditer(text):
            token = word.group()
            candidates = list(by_word.get(token, ()))
            for prefix, entries in by_head.get(token[:HEAD], ()):
                if token.startswith(prefix):
                    candidates.extend(entries)
            for length in self.short_lengths:
                candidates.extend(by_prefix.get(token[:length], ()))
            if not candidates:
                continue
            position = word.start()
            for number, pattern in candidates:
                if section_key in pattern.sections:
                    match = pattern.lowercase.match(text, position)
                    if match and match.end() > position:
                        found.setdefault(number, set()).add(match.span())
        for number, pattern in self.scanning:
            if section_key in pattern.sections:
                for match in pattern.lowercase.finditer(text):
                    if match.end() > match.start():
                        found.setdefault(number, set()).add(match.span())
        return found


@dataclass(frozen=True)
class Evidence:
    section_key: str
    start: int  # character offsets in the section text
    end: int
    matched_text: str
    context: str  # the sentence around the match, at most CONTEXT_LIMIT characters


@dataclass(frozen=True)
class Assignment:
    theme_id: str
    evidence: Evidence
    match_count: int


def term_regex(term: str) -> str:
    """A phrase as a regex: word boundaries, spaces match spaces or hyphens, ``word*`` a stem."""
    words = term.split()
    parts = []
    for word in words:
        stem = word.endswith("*")
        body = re.escape(word.rstrip("*")).replace(r"\-", r"[\s\-]*")
        parts.append(body + (r"\w*" if stem else ""))
    start = r"\b" if re.match(r"\w", words[0]) else ""
    end = r"\b" if re.search(r"[\w*]$", words[-1]) else ""
    return start + r"[\s\-]+".join(parts) + end


def _fail(path: Path, where: str, problem: str) -> ThemeRulesError:
    return ThemeRulesError(f"{path.name}: {where}: {problem}")


def _compile(path: Path, where: str, source: str, is_regex: bool) -> re.Pattern:
    if not isinstance(source, str) or not source.strip():
        raise _fail(path, where, f"expected a non-empty string, got {source!r}")
    try:
        return re.compile(source if is_regex else term_regex(source), re.IGNORECASE)
    except re.error as exc:
        raise _fail(path, where, f"bad regex {source!r} ({exc})") from None


def _sections(path: Path, where: str, value, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    if not isinstance(value, list) or not value:
        raise _fail(path, where, "expected a list of section keys")
    unknown = [s for s in value if s not in SEARCHABLE_SECTIONS]
    if unknown:
        raise _fail(
            path, where, f"unknown section {unknown[0]!r} (one of {', '.join(SEARCHABLE_SECTIONS)})"
        )
    return tuple(value)


def _patterns(path: Path, where: str, raw: Mapping, sections: tuple[str, ...]) -> list[Pattern]:
    patterns = []
    for key, is_regex in (("terms", False), ("regex", True)):
        items = raw.get(key) or []
        if not isinstance(items, list):
            raise _fail(path, f"{where}.{key}", "expected a list")
        for index, item in enumerate(items):
            at = f"{where}.{key}[{index}]"
            own_sections = sections
            if isinstance(item, dict):
                extra = set(item) - {"pattern", "sections"}
                if extra or "pattern" not in item:
                    raise _fail(path, at, "a mapping needs 'pattern' (and optional 'sections')")
                own_sections = _sections(path, f"{at}.sections", item.get("sections"), sections)
                item = item["pattern"]
            patterns.append(Pattern(str(item), _compile(path, at, item, is_regex), own_sections))
    return patterns


def _theme(path: Path, index: int, raw) -> Theme:
    if not isinstance(raw, dict):
        raise _fail(path, f"themes[{index}]", "expected a mapping")
    theme_id = raw.get("id")
    where = f"theme {theme_id!r}" if theme_id else f"themes[{index}]"
    if not isinstance(theme_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", theme_id):
        raise _fail(path, f"{where}.id", "expected a snake_case id")
    unknown = sorted(set(raw) - THEME_KEYS)
    if unknown:
        raise _fail(
            path, f"{where}.{unknown[0]}", f"unknown key (keys: {', '.join(sorted(THEME_KEYS))})"
        )
    for key in ("label", "description"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _fail(path, f"{where}.{key}", "missing or empty")
    if raw.get("status") not in STATUSES:
        raise _fail(path, f"{where}.status", f"expected one of {', '.join(STATUSES)}")
    sections = _sections(path, f"{where}.sections", raw.get("sections"), SEARCHABLE_SECTIONS)
    patterns = _patterns(path, where, raw, sections)
    if not patterns:
        raise _fail(path, f"{where}.terms", "a theme needs at least one term or regex")
    exclusions = raw.get("exclusions") or []
    if not isinstance(exclusions, list):
        raise _fail(path, f"{where}.exclusions", "expected a list")
    compiled_exclusions = []
    for n, item in enumerate(exclusions):
        at = f"{where}.exclusions[{n}]"
        is_regex = isinstance(item, dict) and set(item) == {"regex"}
        source = item["regex"] if is_regex else item
        compiled_exclusions.append(Pattern(str(source), _compile(path, at, source, is_regex), ()))
    min_matches = raw.get("min_matches", 1)
    if not isinstance(min_matches, int) or isinstance(min_matches, bool) or min_matches < 1:
        raise _fail(path, f"{where}.min_matches", "expected a whole number of at least 1")
    return Theme(
        theme_id=theme_id,
        label=raw["label"].strip(),
        description=" ".join(raw["description"].split()),
        status=raw["status"],
        patterns=tuple(patterns),
        exclusions=tuple(compiled_exclusions),
        min_matches=min_matches,
    )


def load_rules(path: Path | str = RULES_PATH) -> ThemeRules:
    """Read and validate a rules file; any problem is one ThemeRulesError naming theme and key."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ThemeRulesError(f"{path}: cannot read the theme rules ({exc.strerror})") from None
    try:
        raw = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise ThemeRulesError(f"{path.name}: not valid YAML{line}") from None
    if not isinstance(raw, dict):
        raise _fail(path, "top level", "expected a mapping with version, changelog and themes")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(path, "version", "expected a whole number of at least 1")
    changelog = raw.get("changelog")
    if not isinstance(changelog, list) or not any(
        str(line).startswith(f"{version}:") or str(line).startswith(f"{version} ")
        for line in changelog
    ):
        raise _fail(path, "changelog", f"expected a line starting '{version}:' for this version")
    items = raw.get("themes")
    if not isinstance(items, list) or not items:
        raise _fail(path, "themes", "expected a non-empty list")
    themes = tuple(_theme(path, n, item) for n, item in enumerate(items))
    seen: set[str] = set()
    for theme in themes:
        if theme.theme_id in seen:
            raise _fail(path, f"theme {theme.theme_id!r}.id", "appears twice")
        seen.add(theme.theme_id)
    return ThemeRules(version, hashlib.sha256(content).hexdigest(), themes)


def rules_digest(path: Path | str = RULES_PATH) -> str:
    """sha256 of the rules file (None-safe for dbt build fingerprints: '' when absent)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _context(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], trimmed around the match to CONTEXT_LIMIT."""
    left = 0
    for boundary in _SENTENCE_END.finditer(text, 0, start):
        left = boundary.end()
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.start() if right_match else len(text)
    if right - left > CONTEXT_LIMIT:
        half = (CONTEXT_LIMIT - (end - start)) // 2
        left = max(left, start - max(half, 40))
        right = min(right, left + CONTEXT_LIMIT)
        right = max(right, end)
    sentence = " ".join(text[left:right].split())
    prefix = "…" if left > 0 and text[left - 1] not in ".;!?\n " else ""
    suffix = "…" if right < len(text) and text[right] not in ".;!?\n " else ""
    return f"{prefix}{sentence}{suffix}"


def _lower(text: str) -> str:
    """Lower case with every offset kept (a few characters, like 'İ', lower to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _surviving(theme: Theme, text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans no exclusion overlaps, overlapping spans merged (two terms matching the same
    words, "self-harm" and "self harm", count once), in order."""
    spans = sorted(spans)
    if spans and theme.exclusion is not None:
        excluded = [m.span() for m in theme.exclusion.finditer(text)]
        spans = [(s, e) for s, e in spans if not any(xs < e and s < xe for xs, xe in excluded)]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def theme_matches(theme: Theme, section_key: str, text: str) -> list[tuple[int, int]]:
    """Spans of one theme's matches in one section that no exclusion overlaps."""
    lowered = _lower(text or "")
    found = ThemeRules(0, "", (theme,)).index.spans(section_key, lowered)
    return _surviving(theme, lowered, found.get(0, ()))


def assign_themes(rules: ThemeRules, sections: Mapping[str, str]) -> list[Assignment]:
    """The themes of one report, given its section texts (section key -> text)."""
    found: dict[int, list[tuple[str, str, tuple[int, int]]]] = {}
    for key in EVIDENCE_ORDER:
        text = sections.get(key) or ""
        if not text:
            continue
        lowered = _lower(text)
        for number, spans in sorted(rules.index.spans(key, lowered).items()):
            theme = rules.themes[number]
            for span in _surviving(theme, lowered, spans):
                found.setdefault(number, []).append((key, text, span))
    assignments = []
    for number, theme in enumerate(rules.themes):
        matches = found.get(number, [])
        if len(matches) < theme.min_matches:
            continue
        key, text, (start, end) = matches[0]
        evidence = Evidence(key, start, end, text[start:end], _context(text, start, end))
        assignments.append(Assignment(theme.theme_id, evidence, len(matches)))
    return assignments


def assign_all(
    rules: ThemeRules, section_rows: Iterable[tuple[str, str, str]]
) -> dict[str, list[Assignment]]:
    """report_url -> assignments, from (report_url, section_key, section_text) rows."""
    reports: dict[str, dict[str, str]] = {}
    for report_url, section_key, text in section_rows:
        if section_key in SEARCHABLE_SECTIONS and text:
            sections = reports.setdefault(report_url, {})
            # A report with a section twice (a rare parse) is read as one text per key.
            sections[section_key] = (
                f"{sections[section_key]}\n{text}" if section_key in sections else text
            )
    return {url: assign_themes(rules, sections) for url, sections in reports.items()}
