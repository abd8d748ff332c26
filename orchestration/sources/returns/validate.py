"""Validate returns rows before anything is written: every problem, named by file, spreadsheet
row and column; an empty list means the file can be loaded.

- A refusal or "not held" answer is an outcome with no count: a number in ``reports_received``
  for such a row is an error, because a refusal must never be counted as zero reports.
- Each name must match an organisation (``main.dim_organisations`` and the listed names and
  aliases in ``intermediate.int_organisation_names_unioned``) or, for coroner-area returns, an
  area in ``main.dim_coroner_areas``. Unknown names are errors, never guessed.

Names are compared by the warehouse's own keys, never by a copy of the rule in Python: the dbt
project stores its name-key macros in the warehouse as DuckDB macros
(``main.org_name_key_with_brackets``, ``main.coroner_area_key``; made on every dbt run from the
same Jinja macros its models use, ``dbt_project/macros/name_key_functions.sql``), and
``known_names`` asks the warehouse it validates against for the keys, parameter-bound. So this
check and dbt's resolution (``int_returns_resolved``) cannot disagree about how a name is keyed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration.sources.returns import limits as returns_limits
from orchestration.sources.returns.limits import Limits
from orchestration.sources.returns.read import (
    COUNT_COLUMNS,
    DATE_COLUMNS,
    REQUIRED_COLUMNS,
    Problem,
    ReturnsFileError,
    ReturnsRow,
    _parse_date,
    capped,
    outcome_category,
    outcome_exemption,
)
from orchestration.warehouse import connection

CORONER_AREA_KIND = "coroner area"
OUTCOMES_WITH_COUNT = ("provided", "partial")
# Regulation 28 reports exist from 25 July 2013; a return period may start earlier (an FOI asks
# for "since 2013"), but not before the Coroners and Justice Act 2009 created the duty.
EARLIEST_PERIOD_START = date(2009, 1, 1)
# A count: ASCII digits, or digits grouped in thousands by commas (1,200); a sign is read so that
# a negative count gets its own message. Not \d: Python's int() reads other scripts' digits
# ("٣"), DuckDB's cast to INTEGER does not, and the dbt build would fail on them.
_WHOLE_NUMBER = re.compile(r"[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)")

# The warehouse's name-key macros (dbt_project/macros/name_key_functions.sql), called by name in
# the queries below. Returns match listed names with their brackets kept, as int_returns_resolved
# does.
ORG_NAME_KEY_FUNCTION = "org_name_key_with_brackets"
AREA_NAME_KEY_FUNCTION = "coroner_area_key"
NAME_SOURCES = (
    "main.dim_organisations",
    "main.dim_coroner_areas",
    "intermediate.int_organisation_names_unioned",
)


@dataclass(frozen=True)
class NameKeys:
    """The warehouse's keys of one name as written: as an organisation and as a coroner area."""

    organisation: str | None
    area: str | None


@dataclass(frozen=True)
class KnownNames:
    """Names the warehouse can resolve (organisation keys, organisation name keys, area name
    keys) and the warehouse's keys of the names in the file being validated (``name_keys``)."""

    organisation_keys: frozenset[str]
    organisation_name_keys: frozenset[str]
    area_name_keys: frozenset[str]
    name_keys: Mapping[str, NameKeys] = field(default_factory=dict)

    def keys_of(self, name: str) -> NameKeys:
        """The keys of a name given to ``known_names``; a name it was not given is a bug."""
        try:
            return self.name_keys[name]
        except KeyError:
            raise KeyError(f"{name!r} was not keyed by known_names(warehouse, names)") from None


def _missing_problem(warehouse: Path, message: str) -> ReturnsFileError:
    return ReturnsFileError([Problem(str(warehouse), None, None, message)])


def name_keys(con, names: Iterable[str | None]) -> dict[str, NameKeys]:
    """The warehouse's keys of each name, computed by its own macros (parameter-bound)."""
    distinct = sorted({n for n in names if n is not None})
    rows = con.execute(
        "SELECT name, main.org_name_key_with_brackets(name), main.coroner_area_key(name)"
        " FROM unnest(?::VARCHAR[]) AS given(name)",
        [distinct],
    ).fetchall()
    return {name: NameKeys(org or None, area or None) for name, org, area in rows}


def known_names(warehouse: Path, names_in_file: Iterable[str | None] = ()) -> KnownNames:
    """Read resolvable names from the built marts and key them, and the file's names, with the
    warehouse's own name-key macros; a clear error when the marts or macros do not exist yet."""
    if not Path(warehouse).exists():
        raise _missing_problem(warehouse, "the warehouse does not exist: build it first")
    with connection.connect(warehouse, read_only=True) as con:
        present = {
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
        if not set(NAME_SOURCES) <= present:
            missing = ", ".join(sorted(set(NAME_SOURCES) - present))
            raise _missing_problem(
                warehouse, f"cannot resolve names: {missing} not built; run the dbt build first"
            )
        functions = {
            r[0]
            for r in con.execute(
                "SELECT function_name FROM duckdb_functions() WHERE schema_name = 'main'"
                " AND database_name = current_database() AND function_name IN (?, ?)",
                [ORG_NAME_KEY_FUNCTION, AREA_NAME_KEY_FUNCTION],
            ).fetchall()
        }
        if functions != {ORG_NAME_KEY_FUNCTION, AREA_NAME_KEY_FUNCTION}:
            missing = ", ".join(
                f"main.{f}"
                for f in (ORG_NAME_KEY_FUNCTION, AREA_NAME_KEY_FUNCTION)
                if f not in functions
            )
            raise _missing_problem(
                warehouse,
                f"cannot resolve names: the name-key macro(s) {missing} are not in the warehouse;"
                " run the dbt build first (it creates them)",
            )
        org_keys = {
            r[0]
            for r in con.execute("SELECT organisation_key FROM main.dim_organisations").fetchall()
        }
        organisation_name_keys = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT name_key FROM ("
                " SELECT main.org_name_key_with_brackets(name) AS name_key FROM ("
                "  SELECT canonical_name AS name FROM main.dim_organisations"
                "  UNION ALL SELECT name FROM intermediate.int_organisation_names_unioned))"
                " WHERE nullif(name_key, '') IS NOT NULL"
            ).fetchall()
        }
        area_name_keys = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT area_key FROM ("
                " SELECT main.coroner_area_key(area) AS area_key FROM ("
                "  SELECT coroner_area AS area FROM main.dim_coroner_areas"
                "  UNION ALL SELECT unnest(raw_spellings) FROM main.dim_coroner_areas))"
                " WHERE nullif(area_key, '') IS NOT NULL"
            ).fetchall()
        }
        keyed = name_keys(con, names_in_file)
    return KnownNames(
        frozenset(org_keys), frozenset(organisation_name_keys), frozenset(area_name_keys), keyed
    )


def _count_problem(text: str | None, limits: Limits) -> str | None:
    """Why a count is refused: not a whole number (digits, optionally grouped in thousands by
    commas), negative, or above ``limits.max_count``. A count that passes fits the INTEGER
    columns of ``stg_returns__returns`` (cast after removing the commas), so it cannot fail dbt.
    """
    if text is None:
        return None
    if not _WHOLE_NUMBER.fullmatch(text):
        return f"{text[:40]!r} is not a whole number"
    count = int(text.replace(",", ""))
    if count < 0:
        return f"{text!r} is negative; a count of reports cannot be below zero"
    if count > limits.max_count:
        return (
            f"{text!r} is not a plausible count of reports: the limit is {limits.max_count:,}"
            " per row (more than one body could receive in any period); check the number"
        )
    return None


def validate_rows(
    file_name: str,
    rows: Sequence[ReturnsRow],
    names: KnownNames | None,
    today: date,
    limits: Limits | None = None,
) -> list[Problem]:
    """Every problem in the rows; an empty list means the file can be loaded.

    ``names`` comes from ``known_names(warehouse, <the rows' organisation names>)``. Without it
    (None) names are not resolved, and duplicates are found by the name as written (ignoring
    case), since only the warehouse can key a name.
    """
    limits = limits or returns_limits.LIMITS
    problems: list[Problem] = []

    def problem(row: ReturnsRow, column: str | None, message: str) -> None:
        problems.append(Problem(file_name, row.row_number, column, message))

    if not rows:
        problems.append(Problem(file_name, None, None, "the file holds no returns rows"))
    first_row_by_key: dict[tuple, int] = {}
    for row in rows:
        v = row.values
        for column in REQUIRED_COLUMNS:
            if column != "reports_received" and column != "source_url" and not v.get(column):
                problem(row, column, "required value is empty")
        for column in COUNT_COLUMNS:
            message = _count_problem(v.get(column), limits)
            if message:
                problem(row, column, message)
        category = outcome_category(v.get("outcome"))
        if v.get("outcome") and category is None:
            problem(
                row,
                "outcome",
                f"{v['outcome']!r} is not an outcome: start it with provided, partial,"
                " 'refused: section NN (reason)' or 'not held'",
            )
        if category == "refused" and not outcome_exemption(v.get("outcome")):
            problem(row, "outcome", "a refusal must name its exemption, e.g. 'refused: section 21'")
        if category in OUTCOMES_WITH_COUNT and not v.get("reports_received"):
            problem(row, "reports_received", f"outcome {category} needs a count")
        if category in ("refused", "not_held") and v.get("reports_received"):
            problem(
                row,
                "reports_received",
                f"outcome {category} must leave the count empty: a refusal is an outcome,"
                " never a zero count",
            )
        dates = {}
        for column in DATE_COLUMNS:
            text = v.get(column)
            if not text:
                continue
            try:
                parsed = _parse_date(text)
            except ValueError:
                parsed = None
                problem(row, column, f"{text!r} is not a real date")
                continue
            if parsed is None:
                problem(row, column, f"{text!r} is not a date in the form YYYY-MM-DD")
            dates[column] = parsed
        start, end = dates.get("period_start"), dates.get("period_end")
        if start and end and end < start:
            problem(row, "period_end", f"impossible period: ends {end} before it starts {start}")
        if start and start < EARLIEST_PERIOD_START:
            problem(row, "period_start", f"impossible period: starts {start}, before 2009")
        if end and end > today:
            problem(row, "period_end", f"impossible period: ends {end}, after today ({today})")
        url = v.get("source_url")
        if url and not re.match(r"https?://\S+$", url):
            problem(row, "source_url", f"{url!r} is not an http(s) address")
        if not url and not v.get("note"):
            problem(row, "source_url", "give the source address, or say in note why there is none")
        if names is not None and v.get("organisation_name"):
            _resolution_problems(row, names, problem)
        key = (
            _duplicate_name(v.get("organisation_name"), names),
            v.get("period_start"),
            v.get("period_end"),
            (v.get("counting_basis") or "").lower(),
            (v.get("source_reference") or "").lower(),
        )
        if key in first_row_by_key:
            problem(
                row,
                None,
                f"duplicate of row {first_row_by_key[key]} (same organisation, period, counting"
                " basis and source reference)",
            )
        else:
            first_row_by_key[key] = row.row_number
    return capped(file_name, problems, limits.max_problems)


def _duplicate_name(name: str | None, names: KnownNames | None) -> str | None:
    if not name:
        return None
    return names.keys_of(name).organisation if names is not None else name.lower()


def _resolution_problems(row: ReturnsRow, names: KnownNames, problem) -> None:
    v = row.values
    keys = names.keys_of(v["organisation_name"])
    explicit = v.get("organisation_key")
    if (v.get("organisation_kind") or "").strip().lower() == CORONER_AREA_KIND:
        if keys.area not in names.area_name_keys:
            problem(
                row,
                "organisation_name",
                f"unknown coroner area {v['organisation_name']!r}: no area in dim_coroner_areas"
                " has this name (names are not guessed; correct the spelling)",
            )
        return
    if explicit:
        if explicit not in names.organisation_keys:
            problem(row, "organisation_key", f"{explicit!r} is not in dim_organisations")
        return
    if keys.organisation not in names.organisation_name_keys:
        problem(
            row,
            "organisation_name",
            f"unknown organisation {v['organisation_name']!r}: no organisation in"
            " dim_organisations has this name or alias (names are not guessed; correct the"
            " spelling, give organisation_key, or add it to dbt_project/seeds/"
            "curated_organisations.csv)",
        )
