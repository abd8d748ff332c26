"""HSSIB action states for `pfdw quality`, measured on a built warehouse (issue 12).

Every HSSIB status is as of the day the recommendation's page was captured (``captured_on``,
capped at the ``as_of`` variable), never as of today, so the figures come with the capture days
they rest on:

- capture days: first and last ``captured_on`` per basis (``crawl``: the crawl that saw the
  content; ``on_or_after``: a lower bound, the offline replica) and pages flagged stale
  (``is_capture_stale``: older than var ``hssib_stale_after_days`` on as_of);
- planned actions by recipient organisation and ``action_status`` (a joint recommendation's
  action counts for each of its recipients; the total counts each action once);
- recommendations by recipient organisation and ``response_status`` (one per recipient);
- the reported-state rule table's version (``state_rules_version``) and how many actions each
  rule decided, rules that decided none included (``no_update``: no rule matched).

Read-only; every query reads the dbt marts (and the rule seed). Figures are returned and
printed, never asserted.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import duckdb

from orchestration.bench.formatting import share

ACTION_STATUSES = (
    "reported_done",
    "reported_delayed",
    "in_progress",
    "due_after_capture",
    "overdue_at_capture",
    "no_due_date",
    "not_yet_planned",
)
RESPONSE_STATUSES = (
    "responded",
    "closed",
    "not_captured",
    "no_response_at_capture",
    "awaiting_at_capture",
    "overdue_at_capture",
)
# Short column headings for the printed tables (the legend line prints the full names).
ACTION_HEADINGS = ("done", "delayed", "progress", "after", "overdue", "no_date", "later")
RESPONSE_HEADINGS = ("resp", "closed", "cut_off", "no_resp", "await", "overdue")
RULES_SEED = "hssib_reported_state_rules"
# The columns issue 12 added; a warehouse built before it has the marts without them.
REQUIRED_COLUMNS = {
    "fct_recommendation_actions": (
        "action_status",
        "reported_state",
        "reported_state_rule_id",
        "state_rules_version",
        "captured_on",
        "capture_date_basis",
    ),
    "fct_safety_recommendations": (
        "response_status",
        "captured_on",
        "capture_date_basis",
        "is_capture_stale",
    ),
}
NAME_WIDTH = 40

ACTIONS_BY_ORGANISATION = """
    with recipients as (
        select
            action_id,
            action_status,
            unnest(organisation_keys) as organisation_key,
            unnest(organisation_names) as organisation_name
        from main.fct_recommendation_actions
    )
    select organisation_key, min(organisation_name), action_status, count(distinct action_id)
    from recipients
    group by organisation_key, action_status
"""

ACTION_TOTALS = """
    select action_status, count(*) from main.fct_recommendation_actions group by action_status
"""

RESPONSES_BY_ORGANISATION = """
    select organisation_key, min(organisation_name), response_status, count(*)
    from main.fct_safety_recommendations
    group by organisation_key, response_status
"""

CAPTURES = """
    select
        capture_date_basis,
        min(captured_on),
        max(captured_on),
        count(distinct recommendation_id),
        count(distinct recommendation_id) filter (where is_capture_stale),
        max(as_of_date)
    from main.fct_safety_recommendations
    group by capture_date_basis
    order by capture_date_basis
"""

DECIDED_BY_RULE = """
    select reported_state_rule_id, reported_state, count(*)
    from main.fct_recommendation_actions
    group by all
"""

RULE_VERSIONS = """
    select distinct state_rules_version
    from main.fct_recommendation_actions
    where state_rules_version is not null
    order by state_rules_version
"""


class HssibMartsMissing(RuntimeError):
    """The warehouse has no HSSIB marts, or marts built before capture-day statuses."""


@dataclass(frozen=True)
class CaptureRange:
    basis: str
    first: dt.date
    last: dt.date
    recommendations: int
    stale: int


@dataclass(frozen=True)
class OrganisationCounts:
    organisation_key: str
    organisation_name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class RuleCount:
    rule_id: str | None  # None: no rule matched (no_update)
    reported_state: str
    actions: int


@dataclass(frozen=True)
class HssibFigures:
    as_of: dt.date | None
    captures: tuple[CaptureRange, ...]
    actions: tuple[OrganisationCounts, ...]
    action_totals: dict[str, int]
    responses: tuple[OrganisationCounts, ...]
    rules_versions: tuple[str, ...]
    rules: tuple[RuleCount, ...]

    @property
    def actions_total(self) -> int:
        return sum(self.action_totals.values())

    @property
    def recommendations_total(self) -> int:
        return sum(capture.recommendations for capture in self.captures)


def _missing_columns(connection: duckdb.DuckDBPyConnection) -> list[str]:
    present = {
        (table, column)
        for table, column in connection.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main' and list_contains(?, table_name)",
            [list(REQUIRED_COLUMNS)],
        ).fetchall()
    }
    return [
        f"main.{table}.{column}"
        for table, columns in REQUIRED_COLUMNS.items()
        for column in columns
        if (table, column) not in present
    ]


def _by_organisation(
    rows: list[tuple], statuses: tuple[str, ...]
) -> tuple[OrganisationCounts, ...]:
    names: dict[str, str] = {}
    counts: dict[str, dict[str, int]] = {}
    for key, name, status, count in rows:
        names[key] = name or key
        counts.setdefault(key, dict.fromkeys(statuses, 0))[status] = count
    organisations = [OrganisationCounts(key, names[key], counts[key]) for key in counts]
    return tuple(sorted(organisations, key=lambda o: (-o.total, o.organisation_name)))


def _rule_counts(connection: duckdb.DuckDBPyConnection) -> tuple[RuleCount, ...]:
    """Actions per rule; the seed's rules that decided nothing are listed with 0."""
    decided = {
        (rule_id, state): count
        for rule_id, state, count in connection.execute(DECIDED_BY_RULE).fetchall()
    }
    schemas = connection.execute(
        "select table_schema from information_schema.tables where table_name = ? order by 1",
        [RULES_SEED],
    ).fetchall()
    rules: list[tuple[str, str, int]] = []
    if schemas:
        relation = connection.table(f'"{schemas[0][0]}".{RULES_SEED}')
        rules = relation.select("rule_id, reported_state, precedence").fetchall()
    counts = [
        RuleCount(rule_id, state, decided.pop((rule_id, state), 0))
        for rule_id, state, _precedence in sorted(rules, key=lambda rule: (rule[2], rule[0]))
    ]
    # Rules the marts used but the seed no longer lists, and no_update (no rule).
    counts += [
        RuleCount(rule_id, state, count)
        for (rule_id, state), count in sorted(decided.items(), key=lambda item: str(item[0]))
    ]
    return tuple(counts)


def hssib_figures(warehouse: Path) -> HssibFigures:
    """The HSSIB figures of a built warehouse (opened read-only)."""
    if not Path(warehouse).is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}: build it first (make run)")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        missing = _missing_columns(connection)
        if missing:
            raise HssibMartsMissing(
                f"{warehouse} has no {', '.join(missing)}: its HSSIB marts are missing or were "
                "built before capture-day statuses; rebuild them (make run)"
            )
        capture_rows = connection.execute(CAPTURES).fetchall()
        captures = tuple(CaptureRange(*row[:5]) for row in capture_rows)
        as_of = max((row[5] for row in capture_rows), default=None)
        actions = _by_organisation(
            connection.execute(ACTIONS_BY_ORGANISATION).fetchall(), ACTION_STATUSES
        )
        action_totals = dict.fromkeys(ACTION_STATUSES, 0)
        action_totals.update(dict(connection.execute(ACTION_TOTALS).fetchall()))
        responses = _by_organisation(
            connection.execute(RESPONSES_BY_ORGANISATION).fetchall(), RESPONSE_STATUSES
        )
        versions = tuple(row[0] for row in connection.execute(RULE_VERSIONS).fetchall())
        rules = _rule_counts(connection)
    return HssibFigures(as_of, captures, actions, action_totals, responses, versions, rules)


def _name(text: str) -> str:
    return text if len(text) <= NAME_WIDTH else text[: NAME_WIDTH - 1] + "…"


def _table(
    rows: tuple[OrganisationCounts, ...],
    statuses: tuple[str, ...],
    headings: tuple[str, ...],
    out: TextIO,
    total: dict[str, int] | None = None,
) -> None:
    print(f"    {'organisation':<{NAME_WIDTH}} " + " ".join(f"{h:>8}" for h in headings), file=out)
    for row in rows:
        cells = " ".join(f"{row.counts[status]:>8,}" for status in statuses)
        print(f"    {_name(row.organisation_name):<{NAME_WIDTH}} {cells}", file=out)
    if total is not None:
        cells = " ".join(f"{total[status]:>8,}" for status in statuses)
        print(f"    {'all actions (each counted once)':<{NAME_WIDTH}} {cells}", file=out)
    legend = ", ".join(f"{h} = {s}" for h, s in zip(headings, statuses, strict=True))
    print(f"    ({legend})", file=out)


def print_hssib_figures(figures: HssibFigures, out: TextIO | None = None) -> None:
    out = out or sys.stdout  # looked up at call time, so a redirected stdout is honoured
    print(
        f"HSSIB action states (as of each page's capture day, never today; as_of {figures.as_of})",
        file=out,
    )
    if not figures.captures:
        print("  no HSSIB recommendations in the warehouse", file=out)
        return
    for capture in figures.captures:
        bound = "captured on or after" if capture.basis == "on_or_after" else "captured"
        print(
            f"  {capture.recommendations:,} recommendations {bound} {capture.first} .. "
            f"{capture.last} (basis {capture.basis}); "
            f"{share(capture.stale, capture.recommendations).strip()} stale "
            "(older than var hssib_stale_after_days on as_of)",
            file=out,
        )
    versions = ", ".join(figures.rules_versions) or "(no actions)"
    print(f"  reported-state rule table version {versions}", file=out)
    total = figures.actions_total
    print(f"  planned actions by status ({total:,} actions)", file=out)
    for status in ACTION_STATUSES:
        print(f"    {share(figures.action_totals[status], total)}  {status}", file=out)
    print("  planned actions by recipient organisation and action_status", file=out)
    _table(figures.actions, ACTION_STATUSES, ACTION_HEADINGS, out, figures.action_totals)
    print("  recommendations by recipient organisation and response_status", file=out)
    _table(figures.responses, RESPONSE_STATUSES, RESPONSE_HEADINGS, out)
    print("  actions decided by each reported-state rule", file=out)
    for rule in figures.rules:
        rule_id = rule.rule_id or "(no rule matched)"
        print(f"    {rule_id:<28} {rule.reported_state:<18} {rule.actions:>6,}", file=out)
