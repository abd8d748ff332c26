"""Ask the search index: ``search("ligature points", sections="concerns", area="Essex")``.

A :class:`Searcher` opens a warehouse once: it reads (read-only, then closes) which index file the
warehouse names and how many reports had text, and opens that index file read-only and immutable
(``file:...?mode=ro&immutable=1``: SQLite takes no lock and never writes; an index file is never
changed after its build). Each search is then one SQLite query with the FTS5 expression and every
filter as bound parameters. A reader keeps the warehouse publication it opened: a run that
publishes a new warehouse and index meanwhile changes nothing for it, and the next Searcher sees
the new one.

The filters are the report's (``orchestration/analyst/scope.py`` resolves the words, against the
warehouse for organisations and areas) and mean what ``questions/_scope.sql`` means: the report
date (publication date when unknown) between since and until; the coroner area as named or its
current area; a report in scope when one of its recipients has the organisation type shown (the
current organisation's by default), is the organisation or a former name of it, and came from
the recipient sources asked for.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.analyst.names import mask_names
from orchestration.search.coverage import TextCoverage
from orchestration.search.errors import NoIndexError, SearchError
from orchestration.search.files import IndexRecord, index_folder
from orchestration.search.query import parse_query
from orchestration.search.schema import FTS_TABLE, SECTION_NAMES, resolve_sections

# What SQLite's snippet() puts around a matched word (control characters: never in cleaned
# text), and what the text form of a snippet shows instead.
_START, _END = "\x02", "\x03"
MARK_START, MARK_END = "«", "»"
SNIPPET_TOKENS = 24
MAX_LIMIT = 1000
BUILD_HINT = "run `make run` (or `pfdw run`) to build the warehouse and its search index"
_CONTROL = re.compile(r"[\x00-\x01\x04-\x1f\x7f-\x9f]+")

_SNIPPETS = ",\n    ".join(
    f"snippet({FTS_TABLE}, {i}, char(2), char(3), '…', {SNIPPET_TOKENS})"
    for i in range(len(SECTION_NAMES))
)
SEARCH_SQL = f"""
WITH hits AS MATERIALIZED (
    -- bm25() works only in the query that holds the MATCH (not beside a window function); the
    -- filters sit here too, so only the reports they keep are scored.
    SELECT reports.doc_id, bm25({FTS_TABLE}) AS score
    FROM {FTS_TABLE} JOIN reports ON reports.doc_id = {FTS_TABLE}.rowid
    WHERE {FTS_TABLE} MATCH :query
        AND (:since IS NULL OR reports.scope_date >= :since)
        AND (:until IS NULL OR reports.scope_date <= :until)
        AND (:area IS NULL OR reports.coroner_area_key = :area
            OR reports.current_coroner_area_key = :area)
        AND (NOT :by_recipient OR EXISTS (
            SELECT 1 FROM recipients
            WHERE recipients.doc_id = reports.doc_id
                AND (:org_types IS NULL OR (CASE WHEN :as_named THEN recipients.organisation_type
                    ELSE coalesce(recipients.current_organisation_type,
                        recipients.organisation_type) END)
                    IN (SELECT value FROM json_each(:org_types)))
                AND (:org_keys IS NULL
                    OR recipients.organisation_key IN (SELECT value FROM json_each(:org_keys))
                    OR recipients.current_organisation_key
                        IN (SELECT value FROM json_each(:org_keys)))
                AND (:sources IS NULL
                    OR recipients.recipient_source IN (SELECT value FROM json_each(:sources)))))
),
matched AS (
    SELECT doc_id, score, count(*) OVER () AS matches
    FROM hits
    ORDER BY score, doc_id
    LIMIT :limit
)
SELECT matched.score, matched.matches, reports.report_url, reports.ref, reports.report_date,
    reports.area, reports.recipients_current, reports.recipients_as_named,
    reports.deceased_names,
    {_SNIPPETS}
FROM matched
JOIN {FTS_TABLE} ON {FTS_TABLE}.rowid = matched.doc_id
JOIN reports ON reports.doc_id = matched.doc_id
WHERE {FTS_TABLE} MATCH :query
ORDER BY matched.score, matched.doc_id"""  # noqa: S608 (constants; every value is bound)


@dataclass(frozen=True)
class SearchResult:
    report_url: str
    ref: str | None
    report_date: str | None
    area: str | None
    recipients: str
    section: str  # the CLI name of the section the snippet comes from
    # the snippet as (text, highlighted) pieces: the unambiguous form to render
    snippet_parts: tuple[tuple[str, bool], ...]
    score: float  # BM25 relevance, higher is better

    @property
    def snippet(self) -> str:
        """The snippet as text, matched words between « and »."""
        return "".join(f"{MARK_START}{t}{MARK_END}" if hit else t for t, hit in self.snippet_parts)

    def snippet_html(self) -> str:
        """The snippet as HTML: the text escaped, matched words in <mark>."""
        return "".join(
            f"<mark>{html.escape(t)}</mark>" if hit else html.escape(t)
            for t, hit in self.snippet_parts
        )

    def as_dict(self) -> dict:
        return {
            "ref": self.ref,
            "report_date": self.report_date,
            "area": self.area,
            "recipients": self.recipients,
            "section": self.section,
            "snippet": self.snippet,
            "score": round(self.score, 4),
            "report_url": self.report_url,
        }


@dataclass(frozen=True)
class SearchResults:
    query: str
    fts_query: str  # what FTS5 was asked (for the curious; always bound, never SQL)
    results: list[SearchResult]
    matches: int  # reports matching in all (results holds at most the limit)
    coverage: TextCoverage
    index: IndexRecord
    scope: str = ""  # the filters in words ("" when none)
    sections: tuple[str, ...] = field(default=())

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


def _parts(snippet: str) -> tuple[tuple[str, bool], ...]:
    text = re.sub(r"\s+", " ", _CONTROL.sub(" ", snippet)).strip()
    parts: list[tuple[str, bool]] = []
    for piece in re.split(f"({_START}[^{_END}]*{_END})", text):
        if piece.startswith(_START):
            parts.append((piece[1:-1], True))
        elif piece:
            parts.append((piece, False))
    return tuple(parts)


def _best_section(snippets: tuple[str | None, ...], allowed: tuple[str, ...]) -> tuple[str, str]:
    """The section whose snippet holds the most matched words (the first on a tie)."""
    candidates = [
        (name, text or "")
        for name, text in zip(SECTION_NAMES, snippets, strict=True)
        if name in allowed and text
    ]
    if not candidates:
        return allowed[0], ""
    return max(candidates, key=lambda item: item[1].count(_START))


def _date(value, option: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SearchError(f"{option} {value!r} is not a date (use YYYY-MM-DD).") from None


class Searcher:
    """One warehouse publication's index, opened once and asked many times."""

    def __init__(self, warehouse: Path | str | None = None) -> None:
        from orchestration.search.coverage import text_coverage
        from orchestration.search.files import named_index
        from orchestration.warehouse import settings
        from orchestration.warehouse.connection import connect

        self.warehouse = Path(warehouse) if warehouse else settings.warehouse_path()
        if not self.warehouse.is_file():
            raise NoIndexError(f"No warehouse at {self.warehouse}: {BUILD_HINT}.")
        with connect(self.warehouse, read_only=True, wait_s=0) as con:
            record = named_index(con)
            if record is None:
                raise NoIndexError(f"{self.warehouse} has no search index yet: {BUILD_HINT}.")
            self.coverage = text_coverage(con)
        self.record = record
        self.index_path = index_folder(self.warehouse) / record.index_file
        if not self.index_path.is_file():
            raise NoIndexError(
                f"The warehouse names the search index {self.index_path}, which is missing: "
                f"{BUILD_HINT}."
            )
        uri = self.index_path.resolve().as_uri() + "?mode=ro&immutable=1"
        self._index = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._scopes: dict[tuple, tuple] = {}

    def close(self) -> None:
        self._index.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _scope(self, org_types, organisation, area, since, until, recipient_sources, as_named):
        """(ScopeVariables, title) from the report's vocabulary, resolved once per Searcher."""
        key = tuple(
            value if value is None or isinstance(value, str | bool | dt.date) else tuple(value)
            for value in (org_types, organisation, area, since, until, recipient_sources, as_named)
        )
        if key not in self._scopes:
            from orchestration.analyst.scope import ScopeError, build_scope
            from orchestration.warehouse.connection import connect

            options = dict(
                org_types=org_types,
                org=organisation,
                area=area,
                since=since,
                until=until,
                recipient_sources=recipient_sources,
                as_named=as_named,
            )
            try:
                if organisation or area:  # only these two are looked up in the warehouse
                    with connect(self.warehouse, read_only=True, wait_s=0) as con:
                        scope = build_scope(con, **options)
                else:
                    scope = build_scope(None, **options)
            except ScopeError as error:
                raise SearchError(str(error)) from None
            has_filter = any(v for k, v in options.items() if k != "as_named")
            self._scopes[key] = (scope.variables, scope.title if has_filter else "")
        return self._scopes[key]

    def search(
        self,
        query: str,
        *,
        sections=None,
        org_types=None,
        organisation: str | None = None,
        area: str | None = None,
        since=None,
        until=None,
        recipient_sources=None,
        as_named: bool = False,
        limit: int = 20,
        with_names: bool = False,
    ) -> SearchResults:
        """Reports matching ``query``, best first. Snippets are the report's own words: unless
        ``with_names``, every word of the deceased's recorded names in them reads ``[name]``."""
        parsed = parse_query(query)
        chosen = resolve_sections(sections)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise SearchError(f"--limit must be a whole number from 1 to {MAX_LIMIT}, got {limit}.")
        since, until = _date(since, "--since"), _date(until, "--until")
        variables, title = self._scope(
            org_types, organisation, area, since, until, recipient_sources, as_named
        )
        fts_query = parsed.fts(chosen)

        def listed(values):
            return json.dumps(list(values)) if values is not None else None

        params = {
            "query": fts_query,
            "since": variables.since.isoformat() if variables.since else None,
            "until": variables.until.isoformat() if variables.until else None,
            "area": variables.area_key,
            "by_recipient": int(
                any(
                    v is not None
                    for v in (variables.org_types, variables.org_keys, variables.recipient_sources)
                )
            ),
            "org_types": listed(variables.org_types),
            "org_keys": listed(variables.org_keys),
            "sources": listed(variables.recipient_sources),
            "as_named": int(bool(variables.as_named)),
            "limit": limit,
        }
        try:
            rows = self._index.execute(SEARCH_SQL, params).fetchall()
        except sqlite3.Error as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise SearchError(f"The search index could not answer {query!r}: {message}") from None
        allowed = chosen or SECTION_NAMES
        results = []
        for score, _, url, ref, date, area_name, current, named, names, *snippets in rows:
            section, snippet = _best_section(tuple(snippets), allowed)
            parts = _parts(snippet)
            if not with_names:
                deceased = json.loads(names or "[]")
                parts = tuple((mask_names(text, deceased), hit) for text, hit in parts)
            results.append(
                SearchResult(
                    report_url=url,
                    ref=ref,
                    report_date=date,
                    area=area_name,
                    recipients=(named if variables.as_named else current) or "",
                    section=section,
                    snippet_parts=parts,
                    score=-score,
                )
            )
        return SearchResults(
            query=parsed.text,
            fts_query=fts_query,
            results=results,
            matches=rows[0][1] if rows else 0,
            coverage=self.coverage,
            index=self.record,
            scope=title,
            sections=chosen,
        )


def search(query: str, *, warehouse: Path | str | None = None, **options) -> SearchResults:
    """One search on the published warehouse (or ``warehouse``); see :meth:`Searcher.search`."""
    parse_query(query)  # a malformed query is told before any file is opened
    with Searcher(warehouse) as searcher:
        return searcher.search(query, **options)
