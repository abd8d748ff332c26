"""The search box's own syntax, parsed here and translated into an FTS5 query string.

What a person may type:

- words: ``ligature points`` finds reports with both (AND is implied);
- ``"a phrase"``: the words next to each other, in that order;
- ``AND``, ``OR``, ``NOT`` between words, phrases or bracketed groups. ``and`` and ``or`` in
  lower case are operators too: as words they find nothing (nearly every report has them).
  ``NOT`` excludes only in capitals: a lower-case "not" is a word ("did not attend" must not
  silently exclude "attend"). ``NOT`` binds tighter than AND, AND tighter than OR, as in FTS5,
  and needs something on each side (``ligature NOT prison``);
- brackets: ``(discharge OR discharged) AND ward``;
- a prefix: ``ligat*`` (at least three letters before the ``*``);
- hyphenated words: ``follow-up`` is the phrase ``"follow up"``, which also finds "follow up".

Everything else is neutralised rather than passed to FTS5: every word and phrase reaches FTS5 as
a quoted string of its letters and digits, so colons (FTS5 column filters), carets, ``+``,
``NEAR``, quotes inside words and other punctuation are separators, never syntax. A malformed
query (unbalanced quotes or brackets, an operator with nothing on one side, an empty query, a
bare ``*``) is a :class:`SearchError` of one line. The FTS5 string is always bound as a parameter
to MATCH, never formatted into SQL.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from orchestration.search.errors import SearchError

OPERATORS = ("AND", "OR", "NOT")
LOWER_CASE_OPERATORS = ("and", "or")  # never "not": see the module docstring
MIN_PREFIX_CHARS = 3
MAX_TERMS = 64
MAX_QUERY_CHARS = 1000
# unicode61 keeps letters, digits (and private-use characters) as token characters; everything
# else separates tokens. Underscore is punctuation to it, so it is excluded here too.
TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """A word or phrase: its tokens (one for a plain word), and whether the last is a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        text = '"' + " ".join(self.tokens).replace('"', '""') + '"'
        return text + " *" if self.prefix else text


@dataclass(frozen=True)
class Binary:
    operator: str
    left: Term | Binary
    right: Term | Binary

    def fts(self) -> str:
        return f"({self.left.fts()} {self.operator} {self.right.fts()})"


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    tree: Term | Binary
    terms: tuple[Term, ...]

    def fts(self, columns: tuple[str, ...] = ()) -> str:
        """The FTS5 query; restricted to ``columns`` (FTS5 column names) when given."""
        expression = self.tree.fts()
        if columns:
            return "{" + " ".join(columns) + "} : (" + expression + ")"
        return expression


def _shown(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _term(text: str, *, phrase: bool) -> Term | None:
    """A word or phrase as a Term; None when it holds no letters or digits (dropped)."""
    stripped = text.rstrip()
    prefix = stripped.endswith("*")
    if prefix:
        stripped = stripped.rstrip("*")
        if not TOKEN.search(stripped):
            shown = f'"{text}"' if phrase else text
            raise SearchError(f"A * must end a word (ligat*); {shown!r} has no letters before it.")
    tokens = tuple(token.lower() for token in TOKEN.findall(stripped))
    if not tokens:
        return None
    if prefix and len(tokens[-1]) < MIN_PREFIX_CHARS:
        raise SearchError(
            f"A prefix needs at least {MIN_PREFIX_CHARS} letters before the * (got {text!r}): "
            "a shorter one matches too many words."
        )
    return Term(tokens, prefix)


def tokenize(text: str) -> list[str | Term]:
    """The query as a list of "(", ")", operator names and Terms."""
    items: list[str | Term] = []
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
        elif char in "()":
            items.append(char)
            position += 1
        elif char == '"':
            end = text.find('"', position + 1)
            if end < 0:
                raise SearchError(
                    f'Unbalanced quote: the phrase starting "{_shown(text[position + 1 :])} has '
                    'no closing ".'
                )
            inner = text[position + 1 : end]
            if not inner.strip():
                raise SearchError('Empty phrase "": put words between the quotes.')
            term = _term(inner, phrase=True)
            if term is not None:
                items.append(term)
            position = end + 1
        else:
            end = position
            while end < length and not text[end].isspace() and text[end] not in "()":
                end += 1
            word = text[position:end]
            position = end
            if word in OPERATORS or word.lower() in LOWER_CASE_OPERATORS:
                items.append(word.upper())
                continue
            if not word.strip("*"):
                raise SearchError(
                    "A bare * matches nothing on its own: put it at the end of a word (ligat*)."
                )
            # A quote inside a word ("o"brien") is a separator like any other punctuation.
            term = _term(word, phrase=False)
            if term is not None:
                items.append(term)
    return items


def _check_brackets(items: list[str | Term]) -> None:
    depth = 0
    for item in items:
        if item == "(":
            depth += 1
        elif item == ")":
            depth -= 1
            if depth < 0:
                raise SearchError("Unbalanced brackets: a ) has no ( before it.")
    if depth > 0:
        raise SearchError("Unbalanced brackets: a ( is never closed with ).")


class _Parser:
    """Recursive descent: or := and (OR and)*; and := not ([AND] not)*; not := primary (NOT
    primary)*; primary := Term | ( or )."""

    def __init__(self, items: list[str | Term]) -> None:
        self.items = items
        self.position = 0

    def peek(self) -> str | Term | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def take(self) -> str | Term | None:
        item = self.peek()
        self.position += 1
        return item

    def operand_after(self, operator: str) -> None:
        following = self.peek()
        if following is None or following == ")":
            where = "at the end of the query" if following is None else "before a )"
            raise SearchError(
                f"{operator} {where} has nothing after it: put a word or phrase there, "
                "or leave it out."
            )

    def parse_or(self) -> Term | Binary:
        left = self.parse_and()
        while self.peek() == "OR":
            self.take()
            self.operand_after("OR")
            left = Binary("OR", left, self.parse_and())
        return left

    def parse_and(self) -> Term | Binary:
        left = self.parse_not()
        while True:
            following = self.peek()
            if following == "AND":
                self.take()
                self.operand_after("AND")
            elif not (isinstance(following, Term) or following == "("):
                return left
            left = Binary("AND", left, self.parse_not())

    def parse_not(self) -> Term | Binary:
        left = self.parse_primary()
        while self.peek() == "NOT":
            self.take()
            self.operand_after("NOT")
            left = Binary("NOT", left, self.parse_primary())
        return left

    def parse_primary(self) -> Term | Binary:
        item = self.take()
        if isinstance(item, Term):
            return item
        if item == "(":
            if self.peek() == ")":
                raise SearchError("Empty brackets (): put words between them.")
            inner = self.parse_or()
            self.take()  # the ")": _check_brackets saw every ( closed
            return inner
        if item in OPERATORS:
            hint = " (write ligature NOT prison)" if item == "NOT" else ""
            raise SearchError(
                f"{item} needs a word or phrase before it, not the start of the query, a ( or "
                f"another operator{hint}."
            )
        raise SearchError("Unbalanced brackets: a ) has no ( before it.")  # pragma: no cover


def _terms(tree: Term | Binary) -> list[Term]:
    if isinstance(tree, Term):
        return [tree]
    return _terms(tree.left) + _terms(tree.right)


def parse_query(text: str | None) -> ParsedQuery:
    """Parse what a person typed; a SearchError (one line) when it is malformed."""
    text = unicodedata.normalize("NFC", text or "")
    if not text.strip():
        raise SearchError('Empty query: give words to search for, e.g. "ligature points".')
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(f"The query is {len(text):,} characters long; at most {MAX_QUERY_CHARS}.")
    items = tokenize(text)
    _check_brackets(items)
    if not any(isinstance(item, Term) for item in items):
        raise SearchError(
            f"No words to search for in {_shown(text)!r}: give letters or digits, not only "
            "operators and punctuation."
        )
    parser = _Parser(items)
    tree = parser.parse_or()
    if parser.peek() is not None:  # only a ")" can stop the parse early
        raise SearchError("Unbalanced brackets: a ) has no ( before it.")
    terms = tuple(_terms(tree))
    if sum(len(term.tokens) for term in terms) > MAX_TERMS:
        raise SearchError(f"Too many words: at most {MAX_TERMS} in one query.")
    return ParsedQuery(text, tree, terms)
