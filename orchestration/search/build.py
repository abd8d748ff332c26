"""Build a search index file from a warehouse: in full, or by redoing only the reports that changed.

A build reads the searchable sections of ``fct_report_sections`` and what the filters and results
need from ``fct_reports`` and ``fct_report_recipients`` (one read-only DuckDB query each), gives
each report a content fingerprint (its text and its filter metadata), then either

- copies the previous index and deletes/reinserts the reports whose fingerprint changed (and
  deletes the ones that are gone), or
- writes a new index from scratch: when there is no usable previous index, its schema version is
  another, or more than ``MAX_CHANGED_SHARE`` of the reports changed (a rebuild is then as quick,
  and leaves one compact FTS5 segment).

Either way it writes ``<target>.partial`` and renames it over ``target`` at the end, so a file of
that name is always a complete index; a build that fails removes its partial file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from orchestration.search.files import (
    IndexRecord,
    index_folder,
    index_path,
    named_index,
    partial_path,
    record_index,
)
from orchestration.search.schema import (
    DDL,
    FTS_TABLE,
    SCHEMA_VERSION,
    SECTION_KEYS,
    SECTION_NAMES,
    TOKENIZER,
)
from orchestration.warehouse.publish import fsync_file

MAX_CHANGED_SHARE = 0.2
BATCH = 2000

# Identifiers below are constants of the code (schema.py); values are always bound parameters.
SECTIONS_SQL = """
    SELECT report_url,
        {columns}
    FROM main.fct_report_sections
    WHERE section_key IN ({keys})
    GROUP BY report_url"""
REPORTS_SQL = """
    SELECT report_url, ref, report_date,
        coalesce(report_date, published_date) AS scope_date,
        coroner_area_key, current_coroner_area_key,
        coalesce(coroner_area, current_coroner_area) AS area
    FROM main.fct_reports"""
RECIPIENTS_SQL = """
    SELECT report_url, organisation_key, current_organisation_key, organisation_type,
        current_organisation_type, recipient_source, organisation_name,
        coalesce(current_organisation_name, organisation_name) AS current_name
    FROM main.fct_report_recipients
    ORDER BY report_url, first_recipient_position NULLS LAST, organisation_key, recipient_source"""
NAMES_SQL = """
    SELECT report_url, deceased_name FROM main.dim_deceased
    WHERE deceased_name IS NOT NULL
    ORDER BY report_url, deceased_name"""


@dataclass(frozen=True)
class Document:
    """One report as the index holds it."""

    report_url: str
    texts: tuple[str | None, ...]  # in schema.SECTIONS order
    ref: str | None = None
    report_date: str | None = None
    scope_date: str | None = None
    coroner_area_key: str | None = None
    current_coroner_area_key: str | None = None
    area: str | None = None
    # (organisation_key, current_organisation_key, organisation_type, current_organisation_type,
    #  recipient_source, organisation_name, current_name)
    recipients: tuple[tuple, ...] = ()
    deceased_names: tuple[str, ...] = ()
    fingerprint: str = field(default="", compare=False)

    def with_fingerprint(self) -> Document:
        payload = json.dumps(
            [
                self.texts,
                self.ref,
                self.report_date,
                self.scope_date,
                self.coroner_area_key,
                self.current_coroner_area_key,
                self.area,
                self.recipients,
                self.deceased_names,
            ],
            default=str,
            ensure_ascii=False,
        )
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        return Document(**{**self.__dict__, "fingerprint": digest})

    def recipient_names(self, current: bool) -> str:
        names = [row[6] if current else row[5] for row in self.recipients]
        return "; ".join(dict.fromkeys(name for name in names if name))


@dataclass(frozen=True)
class BuildResult:
    path: Path
    mode: str  # full | incremental
    documents: int
    changed: int
    removed: int
    seconds: float
    size_bytes: int
    reason: str = ""  # why a full build, when there was a previous index


def _iso(value) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def read_documents(con) -> list[Document]:
    """Every report with at least one searchable section, from an open DuckDB warehouse."""
    columns = ",\n        ".join(
        f"string_agg(section_text, chr(10) || chr(10) ORDER BY section_number) "
        f"FILTER (WHERE section_key = ?) AS section_{position}"
        for position in range(len(SECTION_KEYS))
    )
    placeholders = ", ".join("?" for _ in SECTION_KEYS)
    sql = SECTIONS_SQL.format(columns=columns, keys=placeholders)
    sections = con.execute(sql, [*SECTION_KEYS, *SECTION_KEYS]).fetchall()
    reports = {row[0]: row[1:] for row in con.execute(REPORTS_SQL).fetchall()}
    recipients: dict[str, list[tuple]] = {}
    for row in con.execute(RECIPIENTS_SQL).fetchall():
        recipients.setdefault(row[0], []).append(tuple(row[1:]))
    names: dict[str, list[str]] = {}
    for report_url, name in con.execute(NAMES_SQL).fetchall():
        names.setdefault(report_url, []).append(name)
    documents = []
    for report_url, *texts in sorted(sections, key=lambda row: row[0]):
        ref, report_date, scope_date, area_key, current_area_key, area = reports.get(
            report_url, (None,) * 6
        )
        document = Document(
            report_url=report_url,
            texts=tuple(texts),
            ref=ref,
            report_date=_iso(report_date),
            scope_date=_iso(scope_date),
            coroner_area_key=area_key,
            current_coroner_area_key=current_area_key,
            area=area,
            recipients=tuple(recipients.get(report_url, ())),
            deceased_names=tuple(names.get(report_url, ())),
        )
        documents.append(document.with_fingerprint())
    return documents


def _open_for_writing(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    # A private file that is renamed only when complete: no journal is needed to survive a crash.
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    return con


def _insert(con: sqlite3.Connection, documents: Sequence[Document], first_doc_id: int) -> None:
    for start in range(0, len(documents), BATCH):
        chunk = list(enumerate(documents[start : start + BATCH], start=first_doc_id + start))
        con.executemany(
            "INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc_id,
                    d.report_url,
                    d.ref,
                    d.report_date,
                    d.scope_date,
                    d.coroner_area_key,
                    d.current_coroner_area_key,
                    d.area,
                    d.recipient_names(current=True),
                    d.recipient_names(current=False),
                    json.dumps(d.deceased_names, ensure_ascii=False),
                    d.fingerprint,
                )
                for doc_id, d in chunk
            ],
        )
        con.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(SECTION_NAMES)}) "  # noqa: S608
            f"VALUES (?, {', '.join('?' for _ in SECTION_NAMES)})",
            [(doc_id, *d.texts) for doc_id, d in chunk],
        )
        con.executemany(
            "INSERT INTO recipients VALUES (?, ?, ?, ?, ?, ?)",
            [(doc_id, *row[:5]) for doc_id, d in chunk for row in d.recipients],
        )


def _write_meta(con: sqlite3.Connection, documents: int, mode: str) -> None:
    values = {
        "schema_version": str(SCHEMA_VERSION),
        "tokenizer": TOKENIZER,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": str(documents),
        "build_mode": mode,
    }
    con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))


def _full(path: Path, documents: Sequence[Document]) -> None:
    con = _open_for_writing(path)
    try:
        con.executescript(DDL)
        con.execute("BEGIN")
        _insert(con, documents, 1)
        _write_meta(con, len(documents), "full")
        con.execute("COMMIT")
        # One segment: the quickest index to query.
        con.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608
    finally:
        con.close()


class _NotUsable(Exception):
    """The previous index cannot be updated in place; the message says why."""


def _incremental(
    path: Path, documents: Sequence[Document], max_changed_share: float
) -> tuple[int, int]:
    """Update a copy of the previous index at ``path``; (changed, removed) reports."""
    con = _open_for_writing(path)
    try:
        try:
            version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            existing = {
                url: (doc_id, fingerprint)
                for url, doc_id, fingerprint in con.execute(
                    "SELECT report_url, doc_id, fingerprint FROM reports"
                )
            }
            top = con.execute("SELECT coalesce(max(doc_id), 0) FROM reports").fetchone()[0]
        except sqlite3.Error as error:
            raise _NotUsable(f"the previous index could not be read ({error})") from None
        if not version or version[0] != str(SCHEMA_VERSION):
            found = version[0] if version else "none"
            raise _NotUsable(f"schema version {found} is not {SCHEMA_VERSION}")
        current = {d.report_url for d in documents}
        changed = [
            d for d in documents if existing.get(d.report_url, (None, None))[1] != d.fingerprint
        ]
        gone = [url for url in existing if url not in current]
        limit = max_changed_share * max(len(documents), 1)
        if len(changed) + len(gone) > limit:
            raise _NotUsable(
                f"{len(changed) + len(gone):,} of {len(documents):,} reports changed "
                f"(more than {max_changed_share:.0%})"
            )
        stale = [existing[d.report_url][0] for d in changed if d.report_url in existing]
        stale += [existing[url][0] for url in gone]
        con.execute("BEGIN")
        keyed = ((FTS_TABLE, "rowid"), ("reports", "doc_id"), ("recipients", "doc_id"))
        for table, column in keyed:
            con.executemany(
                f"DELETE FROM {table} WHERE {column} = ?",  # noqa: S608 (constants)
                [(doc_id,) for doc_id in stale],
            )
        _insert(con, changed, top + 1)
        _write_meta(con, len(documents), "incremental")
        con.execute("COMMIT")
        return len(changed), len(gone)
    finally:
        con.close()


def build_index(
    documents: Sequence[Document],
    target: Path | str,
    *,
    previous: Path | str | None = None,
    max_changed_share: float = MAX_CHANGED_SHARE,
) -> BuildResult:
    """Write the index of ``documents`` to ``target``: incrementally from ``previous`` when it is
    a usable index and few reports changed, else in full."""
    started = time.monotonic()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(target)
    mode, reason, changed, removed = "full", "", len(documents), 0
    try:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        if previous is not None and Path(previous).is_file():
            shutil.copyfile(previous, partial)
            try:
                changed, removed = _incremental(partial, documents, max_changed_share)
                mode = "incremental"
            except _NotUsable as why:
                reason = str(why)
                partial.unlink()
                changed, removed = len(documents), 0
        elif previous is not None:
            reason = f"the previous index {Path(previous).name} is missing"
        else:
            reason = "no previous index"
        if mode == "full":
            _full(partial, documents)
        fsync_file(partial)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    return BuildResult(
        path=target,
        mode=mode,
        documents=len(documents),
        changed=changed,
        removed=removed,
        seconds=time.monotonic() - started,
        size_bytes=target.stat().st_size,
        reason=reason,
    )


def build_for_warehouse(
    working: Path | str, run_id: str, *, max_changed_share: float = MAX_CHANGED_SHARE
) -> tuple[BuildResult, IndexRecord]:
    """Build this run's index from a (working) warehouse and name it there.

    The previous index is the one the warehouse names (a working copy starts as a copy of the
    published warehouse, so it names the published index); the new file goes to the same folder
    (``search/`` beside the warehouse) under this run's id. A failure removes the new file."""
    from orchestration.search.coverage import text_coverage
    from orchestration.warehouse.connection import connect, table_exists

    working = Path(working)
    target = index_path(working, run_id)
    with connect(working, read_only=True) as con:
        if not table_exists(con, "main", "fct_report_sections"):
            raise RuntimeError(
                f"{working} has no main.fct_report_sections: dbt has not built the marts the "
                "search index reads"
            )
        documents = read_documents(con)
        coverage = text_coverage(con)
        named = named_index(con)
    previous = None
    if named is not None and named.schema_version == SCHEMA_VERSION:
        previous = index_folder(working) / named.index_file
    result = build_index(documents, target, previous=previous, max_changed_share=max_changed_share)
    if named is not None and named.schema_version != SCHEMA_VERSION:
        result = replace(
            result, reason=f"schema version {named.schema_version} is not {SCHEMA_VERSION}"
        )
    record = IndexRecord(
        index_file=target.name,
        built_at=datetime.now(UTC),
        run_id=run_id,
        documents=result.documents,
        reports_with_text=coverage.with_text,
        reports_total=coverage.total,
        build_mode=result.mode,
        changed_reports=result.changed,
        removed_reports=result.removed,
        schema_version=SCHEMA_VERSION,
        seconds=round(result.seconds, 3),
        size_bytes=result.size_bytes,
    )
    try:
        with connect(working) as con:
            record_index(con, record)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return result, record


@dataclass(frozen=True)
class IndexAudit:
    """How an index file agrees with the warehouse it was built from."""

    expected: int  # reports with a searchable section in the warehouse
    indexed: int  # report rows in the index
    text_rows: int  # rows of the FTS5 table
    missing: tuple[str, ...]  # reports with text the index lacks
    unexpected: tuple[str, ...]  # indexed reports the warehouse has no text for

    @property
    def passed(self) -> bool:
        return not self.missing and not self.unexpected and self.indexed == self.text_rows


def audit_index(warehouse: Path | str, index: Path | str) -> IndexAudit:
    """Every report with a searchable section indexed exactly once, and nothing else."""
    from orchestration.warehouse.connection import connect

    placeholders = ", ".join("?" for _ in SECTION_KEYS)
    with connect(warehouse, read_only=True) as con:
        expected = {
            row[0]
            for row in con.execute(
                "SELECT DISTINCT report_url FROM main.fct_report_sections "  # noqa: S608
                f"WHERE section_key IN ({placeholders})",
                list(SECTION_KEYS),
            ).fetchall()
        }
    uri = Path(index).resolve().as_uri() + "?mode=ro&immutable=1"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as index_con:
        indexed = [row[0] for row in index_con.execute("SELECT report_url FROM reports")]
        text_rows = index_con.execute(f"SELECT count(*) FROM {FTS_TABLE}").fetchone()[0]  # noqa: S608
    found = set(indexed)
    return IndexAudit(
        expected=len(expected),
        indexed=len(indexed),
        text_rows=text_rows,
        missing=tuple(sorted(expected - found)),
        unexpected=tuple(sorted(found - expected)),
    )
