"""The search index's layout: one SQLite file, one FTS5 row per report, one column per section.

Why one row per report (and not one per report section): a search answers with reports, so BM25
ranks the report on the evidence of all its searchable sections at once (a report that speaks of
ligature points in its circumstances and its concerns ranks above one that names them once), a
``LIMIT`` counts reports without a GROUP BY over section rows, and ``--section`` is FTS5's own
column filter (``{concerns} : (...)``) rather than a second table. Which section matched is told
by the snippets: the section whose snippet holds the most highlighted words.

Beside the FTS5 table, ``reports`` holds what the results show and the filters read (reference,
dates, coroner area keys, the recipients shown both ways) and each report's content fingerprint
(text + filter metadata) so a build can redo only the reports that changed; ``recipients`` holds
one row per recipient with the organisation keys, types and source the report scope filters by
(``orchestration/analyst/questions/_scope.sql``, mirrored in ``searcher.py``).
"""

from __future__ import annotations

from orchestration.search.errors import SearchError

# Bumped whenever the tables, the tokenizer or the fingerprint change: a build that finds an
# index of another version rebuilds it from scratch.
SCHEMA_VERSION = 2

# (CLI name = FTS5 column, section_key in fct_report_sections): the four searchable sections of
# the issue-16 contract, in its order (the themes read the same four).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("circumstances", "circumstances_of_death"),
    ("concerns", "coroners_concerns"),
    ("action", "action_should_be_taken"),
    ("inquest", "investigation_and_inquest"),
)
SECTION_NAMES = tuple(name for name, _ in SECTIONS)
SECTION_KEYS = tuple(key for _, key in SECTIONS)
# porter: "ligatures" finds "ligature"; unicode61 with diacritics removed: "cafe" finds "café".
TOKENIZER = "porter unicode61 remove_diacritics 2"

FTS_TABLE = "report_text"
DDL = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE reports (
    doc_id INTEGER PRIMARY KEY,
    report_url TEXT NOT NULL UNIQUE,
    ref TEXT,
    report_date TEXT,
    -- the date the report scope filters on: report date, else publication date (ISO text)
    scope_date TEXT,
    coroner_area_key TEXT,
    current_coroner_area_key TEXT,
    area TEXT,
    recipients_current TEXT,
    recipients_as_named TEXT,
    -- JSON list of the deceased's recorded names: snippets are masked with them unless the
    -- caller asks for names (the report's words can name the person who died)
    deceased_names TEXT,
    fingerprint TEXT NOT NULL
);
CREATE TABLE recipients (
    doc_id INTEGER NOT NULL,
    organisation_key TEXT,
    current_organisation_key TEXT,
    organisation_type TEXT,
    current_organisation_type TEXT,
    recipient_source TEXT
);
CREATE INDEX recipients_by_doc ON recipients (doc_id);
CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
    {", ".join(SECTION_NAMES)}, tokenize = '{TOKENIZER}'
);
"""


def resolve_sections(sections) -> tuple[str, ...]:
    """Section names (CLI names or full keys, any case, comma-separated or a list) as FTS5
    column names in the contract's order; an unknown one is a SearchError naming the valid ones."""
    if sections is None:
        return ()
    words = [sections] if isinstance(sections, str) else list(sections)
    by_word = {name: name for name in SECTION_NAMES}
    by_word.update({key: name for name, key in SECTIONS})
    chosen = set()
    for word in (part.strip().lower() for text in words for part in str(text).split(",")):
        if not word:
            continue
        if word not in by_word:
            raise SearchError(
                f"Unknown section {word!r}. Use one or more of: {', '.join(SECTION_NAMES)} "
                f"(or their keys: {', '.join(SECTION_KEYS)})."
            )
        chosen.add(by_word[word])
    return tuple(name for name in SECTION_NAMES if name in chosen)
