"""The documented SQL of the domain questions (orchestration/analyst/questions/*.sql), run with the
report's filters set as DuckDB session variables, so a report figure is that file's result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"
SCOPE_FILE = QUESTIONS_DIR / "_scope.sql"


@dataclass(frozen=True)
class ScopeVariables:
    """Values for the session variables that _scope.sql reads; None leaves a filter off."""

    org_types: tuple[str, ...] | None = None
    org_keys: tuple[str, ...] | None = None
    area_key: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    # header | report_text | response_document; None keeps recipients from every source.
    recipient_sources: tuple[str, ...] | None = None
    # False: by current organisation (former names rolled up); True: as named at the time.
    as_named: bool = False
    extra: dict = field(default_factory=dict)


def question_path(name: str) -> Path:
    path = QUESTIONS_DIR / (name if name.endswith(".sql") else f"{name}.sql")
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in QUESTIONS_DIR.glob("[!_]*.sql")))
        raise FileNotFoundError(f"No question {name!r} in {QUESTIONS_DIR}; known: {known}")
    return path


def question_sql(name: str) -> str:
    return question_path(name).read_text(encoding="utf-8")


def apply_scope(connection: duckdb.DuckDBPyConnection, scope: ScopeVariables) -> None:
    """Set (or reset) every scope variable so a previous report's filters never leak in."""
    values = {
        "org_types": list(scope.org_types) if scope.org_types is not None else None,
        "org_keys": list(scope.org_keys) if scope.org_keys is not None else None,
        "area_key": scope.area_key,
        "since": scope.since,
        "until": scope.until,
        "recipient_sources": (
            list(scope.recipient_sources) if scope.recipient_sources is not None else None
        ),
        "as_named": bool(scope.as_named),
    }
    for name, value in values.items():
        if value is None:
            connection.execute(f"RESET VARIABLE {name}")
        elif isinstance(value, bool):
            connection.execute(f"SET VARIABLE {name} = ?::BOOLEAN", [value])
        elif isinstance(value, dt.date):
            connection.execute(f"SET VARIABLE {name} = ?::DATE", [value.isoformat()])
        elif isinstance(value, list):
            connection.execute(f"SET VARIABLE {name} = ?::VARCHAR[]", [value])
        else:
            connection.execute(f"SET VARIABLE {name} = ?::VARCHAR", [value])


def run_question(
    connection: duckdb.DuckDBPyConnection, name: str, scope: ScopeVariables | None = None
) -> list[dict]:
    """Rows of one documented question as dicts (column name -> value)."""
    if scope is not None:
        apply_scope(connection, scope)
    relation = connection.execute(question_sql(name))
    columns = [column[0] for column in relation.description]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
