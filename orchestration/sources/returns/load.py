"""Load a validated returns file into the warehouse's raw tables, all or nothing.

- Three kinds of file come through here (``raw.returns__files.file_kind``): count returns
  (``counts``, into ``raw.returns__rows``), report lists (``report_list``, into
  ``raw.returns__report_lines``) and request logs (``requests``, into ``raw.returns__requests``);
  the kind is found from the file's sheets and header (``foi_files.detect_kind``), and every
  guarantee below holds for each.

- The whole file is read (``read``) and validated (``validate``) before the warehouse is
  touched. A bad file is quarantined (copied, or moved out of the inbox) beside a
  ``.reason.txt`` that says why, and nothing from it is loaded.
- A raw load reads no mart and no dbt macro, so it works on an empty warehouse before any dbt
  build: names are loaded as written.
- The same file twice (same SHA-256) is a no-op. A file with the name of an already loaded file
  but other content is a corrected version: it supersedes the earlier one (whose rows stay in the
  history, ``is_current = false``).
- dbt resolves the names (``int_returns_resolved``, by the warehouse's own name-key macros). A
  file version with a name that resolves to nothing is held out of the reconciliation as a whole
  and the previously accepted version of the same file stays current
  (``int_returns_file_versions``); its names are listed in ``main.audit_returns_unresolved``
  (``held_out_problems`` reads them). ``rebuild_models`` builds the returns models after a load.

Command line::

    pfdw returns load FILE
    pfdw returns template
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.sources.returns import foi_files
from orchestration.sources.returns.limits import LIMITS, display_name, file_problems, name_problem
from orchestration.sources.returns.read import (
    ALL_COLUMNS,
    COUNTS,
    Problem,
    ReturnsFileError,
    ReturnsRow,
    file_name_problems,
    file_sha256,
)
from orchestration.sources.returns.templates import bundled_data_folder
from orchestration.sources.returns.validate import validate_rows
from orchestration.warehouse import connection, settings

__all__ = [
    "FILES_TABLE",
    "RAW_SCHEMA",
    "ROWS_TABLE",
    "LoadResult",
    "ReturnsFileError",
    "bundled_returns_files",
    "ensure_schema",
    "file_history",
    "file_sha256",
    "files_by_kind",
    "upgrade_schema",
    "held_out_problems",
    "load_returns_file",
    "quarantine",
    "rebuild_models",
    "resolve_loaded_names",
]

RAW_SCHEMA = "raw"
FILES_TABLE = "returns__files"
ROWS_TABLE = "returns__rows"
REPORT_LINES_TABLE = foi_files.REPORT_LINES_TABLE
REQUESTS_TABLE = foi_files.REQUESTS_TABLE
QUARANTINE_SUBDIR = Path("returns") / "quarantine"

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA};
-- One row per returns file version ever loaded (history: name, checksum, loaded at).
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{FILES_TABLE} (
    file_sha256          VARCHAR PRIMARY KEY,
    file_name            VARCHAR NOT NULL,
    file_format          VARCHAR NOT NULL,     -- csv | xlsx
    source_path          VARCHAR NOT NULL,
    row_count            INTEGER NOT NULL,
    loaded_at            TIMESTAMP NOT NULL,
    is_current           BOOLEAN NOT NULL,     -- false once a corrected version supersedes it
    superseded_at        TIMESTAMP,
    superseded_by_sha256 VARCHAR
);
-- Every row of every loaded version, values as written in the file (text).
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{ROWS_TABLE} (
    file_sha256   VARCHAR NOT NULL,
    row_number    INTEGER NOT NULL,            -- spreadsheet row number (header is row 1)
    {", ".join(f"{column} VARCHAR" for column in ALL_COLUMNS)},
    PRIMARY KEY (file_sha256, row_number)
);
-- The kind of each file (counts | report_list | requests): files loaded before kinds existed
-- were all count returns.
ALTER TABLE {RAW_SCHEMA}.{FILES_TABLE} ADD COLUMN IF NOT EXISTS file_kind VARCHAR DEFAULT 'counts';
{foi_files.ddl(RAW_SCHEMA)}
"""


@dataclass(frozen=True)
class LoadResult:
    file_name: str
    file_sha256: str
    status: str  # loaded | already_loaded
    rows_loaded: int = 0
    superseded: tuple[str, ...] = field(default_factory=tuple)
    message: str = ""
    file_kind: str = COUNTS.kind  # counts | report_list | requests


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL.split(";"):
        if statement.strip():
            con.execute(statement).fetchall()


def upgrade_schema(warehouse: Path | str) -> bool:
    """Bring a warehouse's raw returns tables to this version (``file_kind``, the FOI tables)
    when it has any, so the dbt build finds them even if every file is unchanged (a no-op load
    writes nothing). True when it did."""
    if not Path(warehouse).exists():
        return False
    with connection.connect(warehouse) as con:
        if not connection.table_exists(con, RAW_SCHEMA, FILES_TABLE):
            return False
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            ensure_schema(con)
            con.execute("COMMIT").fetchall()
        except Exception:
            con.execute("ROLLBACK").fetchall()
            raise
    return True


def _safe_name(name: str) -> str:
    """The name to keep a refused file under: itself when it is one printable line, else its
    letters, digits, dots, hyphens and underscores (anything else becomes _)."""
    if display_name(name) == name and not name_problem(name):
        return name
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "unnamed"


def quarantine(
    path: Path, problems: Sequence[Problem], data_dir: Path, move: bool, keep_copy: bool = True
) -> Path:
    """Keep the bad file under <data dir>/returns/quarantine/ with a written reason beside it.
    The file keeps a safe name (``_safe_name``); a file refused for its size is not copied
    (``keep_copy`` false: only the reason is kept, or the file moved when ``move``)."""
    folder = Path(data_dir) / QUARANTINE_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{stamp}__{_safe_name(path.name)}"
    if move:
        shutil.move(str(path), target)
    elif keep_copy:
        shutil.copyfile(path, target)
    reason = [
        f"file: {display_name(path.name)}",
        f"quarantined at: {stamp}",
        "nothing from this file was loaded, because:",
        *(f"- {p}" for p in problems),
        "",
    ]
    target.with_name(target.name + ".reason.txt").write_text("\n".join(reason), encoding="utf-8")
    return target


def load_returns_file(
    path: Path | str,
    warehouse: Path | str | None = None,
    data_dir: Path | str | None = None,
    *,
    move_bad_file: bool = False,
    today: date | None = None,
) -> LoadResult:
    """Validate and load one returns file; raise ``ReturnsFileError`` (quarantined) if bad."""
    path = Path(path)
    warehouse = Path(warehouse) if warehouse else settings.warehouse_path()
    data_dir = Path(data_dir) if data_dir else settings.data_dir()
    # The name first: it is used in every message, in the quarantine and in the warehouse.
    name_problems = file_name_problems(path)
    if name_problems and "\x00" in str(path):
        raise ReturnsFileError(name_problems)  # no such file can exist: nothing to quarantine
    if not path.is_file():
        shown = display_name(str(path))
        raise ReturnsFileError(
            [Problem(display_name(path.name), None, None, f"no such file: {shown}")]
        )
    if name_problems:
        raise ReturnsFileError(
            name_problems, quarantined_to=quarantine(path, name_problems, data_dir, move_bad_file)
        )
    # Size (and an .xlsx's unzipped size) before the file is hashed or opened.
    early = [Problem(path.name, None, None, text) for text in file_problems(path, LIMITS)]
    if early:
        target = quarantine(path, early, data_dir, move_bad_file, keep_copy=False)
        raise ReturnsFileError(early, quarantined_to=target)
    checksum = file_sha256(path)
    already = _already_loaded(warehouse, checksum)
    if already:
        return LoadResult(
            path.name,
            checksum,
            "already_loaded",
            message=f"{path.name} (sha256 {checksum[:12]}) was loaded on {already[1]} as"
            f" {already[0]}; nothing changed",
        )
    kind, rows, problems = foi_files.read_any_file(path)
    if not problems and kind == COUNTS.kind:
        problems = validate_rows(path.name, rows, today or date.today())
    elif not problems:
        problems = foi_files.validate(kind, path.name, rows, today or date.today())
    if problems:
        target = quarantine(path, problems, data_dir, move_bad_file)
        raise ReturnsFileError(problems, quarantined_to=target)
    return _write(warehouse, path, checksum, rows, kind)


def _already_loaded(warehouse: Path, checksum: str) -> tuple[str, str] | None:
    if not warehouse.exists():
        return None
    with connection.connect(warehouse, read_only=True) as con:
        if not connection.table_exists(con, RAW_SCHEMA, FILES_TABLE):
            return None
        found = con.execute(
            f"SELECT file_name, CAST(loaded_at AS VARCHAR) FROM {RAW_SCHEMA}.{FILES_TABLE}"  # noqa: S608
            " WHERE file_sha256 = ?",
            [checksum],
        ).fetchall()
    return found[0] if found else None


def _records(kind: str, checksum: str, rows: list[ReturnsRow]) -> tuple[str, list, list]:
    if kind != COUNTS.kind:
        return foi_files.raw_records(kind, checksum, rows)
    columns = ["file_sha256", "row_number", *ALL_COLUMNS]
    return ROWS_TABLE, columns, [[checksum, r.row_number, *(r.values[c] for c in ALL_COLUMNS)]
                                 for r in rows]  # fmt: skip


def _write(
    warehouse: Path, path: Path, checksum: str, rows: Iterable[ReturnsRow], kind: str = "counts"
) -> LoadResult:
    rows = list(rows)
    table, columns, records = _records(kind, checksum, rows)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    with connection.connect(warehouse) as con:
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            ensure_schema(con)
            superseded = [
                r[0]
                for r in con.execute(
                    f"SELECT file_sha256 FROM {RAW_SCHEMA}.{FILES_TABLE}"  # noqa: S608
                    " WHERE file_name = ? AND is_current",
                    [path.name],
                ).fetchall()
            ]
            con.execute(
                f"UPDATE {RAW_SCHEMA}.{FILES_TABLE} SET is_current = false,"  # noqa: S608
                " superseded_at = ?, superseded_by_sha256 = ? WHERE file_name = ? AND is_current",
                [loaded_at, checksum, path.name],
            ).fetchall()
            con.execute(
                f"INSERT INTO {RAW_SCHEMA}.{FILES_TABLE} (file_sha256, file_name, file_format,"  # noqa: S608
                " source_path, row_count, loaded_at, is_current, superseded_at,"
                " superseded_by_sha256, file_kind) VALUES (?, ?, ?, ?, ?, ?, true, NULL, NULL, ?)",
                [
                    checksum,
                    path.name,
                    path.suffix.lower().lstrip("."),
                    str(path.resolve()),
                    len(rows),
                    loaded_at,
                    kind,
                ],
            ).fetchall()
            placeholders = ", ".join("?" for _ in columns)
            if records:
                con.executemany(
                    f"INSERT INTO {RAW_SCHEMA}.{table} ({', '.join(columns)})"  # noqa: S608
                    f" VALUES ({placeholders})",
                    records,
                ).fetchall()
            con.execute("COMMIT").fetchall()
        except Exception:
            con.execute("ROLLBACK").fetchall()
            raise
    what = "rows" if kind == COUNTS.kind else f"{kind} rows"
    message = f"loaded {len(rows)} {what} from {path.name} (sha256 {checksum[:12]})"
    if superseded:
        message += f"; supersedes {', '.join(s[:12] for s in superseded)}"
    return LoadResult(path.name, checksum, "loaded", len(rows), tuple(superseded), message, kind)


def file_history(warehouse: Path | str) -> list[tuple]:
    """(file name, sha256, loaded at, rows, current?, superseded by) for every loaded version."""
    with connection.connect(warehouse, read_only=True) as con:
        if not connection.table_exists(con, RAW_SCHEMA, FILES_TABLE):
            return []
        columns = "file_name, file_sha256, loaded_at, row_count, is_current, superseded_by_sha256"
        sql = f"SELECT {columns} FROM {RAW_SCHEMA}.{FILES_TABLE} ORDER BY loaded_at"  # noqa: S608
        return con.execute(sql).fetchall()


def files_by_kind(warehouse: Path | str) -> dict[str, int]:
    """How many current file versions of each kind the warehouse holds."""
    with connection.connect(warehouse, read_only=True) as con:
        if not connection.table_exists(con, RAW_SCHEMA, FILES_TABLE):
            return {}
        columns = {r[0] for r in con.execute(f"DESCRIBE {RAW_SCHEMA}.{FILES_TABLE}").fetchall()}
        kind = "file_kind" if "file_kind" in columns else "'counts'"
        sql = (
            f"SELECT {kind}, count(*) FROM {RAW_SCHEMA}.{FILES_TABLE}"  # noqa: S608
            " WHERE is_current GROUP BY ALL ORDER BY ALL"
        )
        return dict(con.execute(sql).fetchall())


def bundled_returns_files() -> list[Path]:
    """The real returns that ship with the project (loaded by default runs)."""
    return [bundled_data_folder() / "official_counts.csv"]


ANSI_CODES = re.compile(r"\x1b\[[0-9;]*m")


def rebuild_models(warehouse: Path | str) -> None:
    """dbt build of the returns models only (after loading returns files)."""
    from orchestration.sources.returns import DBT_SELECT
    from orchestration.warehouse.dbt_cli import run_dbt

    completed = run_dbt(["build", "--quiet", "--select", *DBT_SELECT], warehouse)
    if completed.returncode != 0:
        output = f"{completed.stdout[-4000:]}{completed.stderr[-2000:]}"
        # The first line names what failed (dbt's "Failure in ..." / error line), the rest is dbt's.
        found = re.search(r"(Failure in [^\n]*|[A-Za-z ]*Error[^\n]*)", ANSI_CODES.sub("", output))
        reason = found[1].strip() if found else "see the dbt output below"
        raise RuntimeError(
            f"dbt build of the returns models failed (exit {completed.returncode}): {reason}\n"
            f"{output}"
        )


def held_out_problems(warehouse: Path | str, checksums: Iterable[str]) -> list[str]:
    """The problem lines ("file, row N, column C: unknown organisation ...") that hold the given
    file versions out of the reconciliation, as the last dbt build of ``warehouse`` found them
    (``main.audit_returns_unresolved``); empty when they resolve or no build made the list."""
    if not Path(warehouse).exists():
        return []
    with connection.connect(warehouse, read_only=True) as con:
        if not connection.table_exists(con, "main", "audit_returns_unresolved"):
            return []
        return [
            r[0]
            for r in con.execute(
                "SELECT problem_text FROM main.audit_returns_unresolved"
                " WHERE list_contains(?::VARCHAR[], file_sha256)"
                " ORDER BY file_name, loaded_at, row_number",
                [sorted(set(checksums))],
            ).fetchall()
        ]


def resolve_loaded_names(warehouse: Path | str, checksums: Iterable[str]) -> list[str] | None:
    """After a command-line load: build the returns models (names are resolved by dbt only) and
    return the problems holding the given versions out (``held_out_problems``). None when the
    warehouse has no built models to resolve names against yet: the next run's dbt build does."""
    if not Path(warehouse).exists():
        return None
    with connection.connect(warehouse, read_only=True) as con:
        built = connection.table_exists(con, "intermediate", "int_organisation_names_unioned")
    if not built:
        return None
    rebuild_models(warehouse)
    return held_out_problems(warehouse, checksums)
