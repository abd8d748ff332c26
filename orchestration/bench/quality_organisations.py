"""Organisation figures for `pfdw quality`: today's organisations, measured on a built warehouse.

- Trusts by current organisation: distinct current bodies (after closures, mergers and renames)
  of the mental health and ambulance trusts that reports were sent to, by country, beside the
  count of distinct organisations as named at the time.
- Organisations per type before and after the roll-up: distinct recipient organisations as named
  (``organisation_key`` by ``organisation_type``) and by current body (``current_organisation_key``
  by ``current_organisation_type``); unresolved NHS-looking names have no type and are counted
  apart.
- Recipient pieces (a piece is one addressee as written; a piece naming several organisations
  counts once): named pieces resolved to a listed organisation, to any organisation, left as
  unresolved NHS-looking names, and left with no organisation.
- Response documents matched to a recipient, and how (``match_rule``).

Read-only; every query reads the dbt marts and intermediate tables only. Figures are returned,
never asserted.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import duckdb

from orchestration.bench.formatting import share

TRUST_TYPES = ("nhs_mental_health_trust", "nhs_ambulance_trust")

TRUSTS_BY_CURRENT_SQL = """
    select
        recipients.current_organisation_type as trust_type,
        coalesce(current_bodies.country, 'unknown') as country,
        count(distinct recipients.current_organisation_key) as current_organisations,
        count(distinct recipients.organisation_key) as organisations_as_named
    from intermediate.int_recipients_resolved as recipients
    left join main.dim_organisations as current_bodies
        on recipients.current_organisation_key = current_bodies.organisation_key
    where recipients.current_organisation_type in (?, ?)
    group by all
    order by trust_type, country
"""

TYPES_SQL = """
    with recipients as (
        select * from intermediate.int_recipients_resolved where organisation_key is not null
    ),
    as_named as (
        select
            coalesce(organisation_type, '(unresolved)') as organisation_type,
            count(distinct organisation_key) as organisations
        from recipients
        group by all
    ),
    by_current as (
        select
            coalesce(current_organisation_type, '(unresolved)') as organisation_type,
            count(distinct current_organisation_key) as organisations
        from recipients
        group by all
    )
    select
        organisation_type,
        coalesce(as_named.organisations, 0) as as_named,
        coalesce(by_current.organisations, 0) as by_current
    from as_named
    full join by_current using (organisation_type)
    order by organisation_type
"""

PIECES_SQL = """
    select
        count(distinct report_recipient_id) as named_pieces,
        count(distinct report_recipient_id) filter (where is_listed_organisation) as listed,
        count(distinct report_recipient_id) filter (where organisation_key is not null)
            as any_organisation,
        count(distinct report_recipient_id) filter (
            where resolution_method = 'unresolved_nhs_name'
        ) as unresolved_nhs_name,
        count(distinct report_recipient_id) filter (where organisation_key is null)
            as no_organisation
    from intermediate.int_recipients_resolved
    where recipient_kind = 'named'
"""

RESPONSES_SQL = """
    select match_rule, count(*) as documents
    from intermediate.int_responses_matched
    group by match_rule
    order by documents desc, match_rule
"""


@dataclass(frozen=True)
class TrustCount:
    trust_type: str
    country: str
    current_organisations: int
    organisations_as_named: int


@dataclass(frozen=True)
class OrganisationFigures:
    trusts: tuple[TrustCount, ...]
    types: tuple[tuple[str, int, int], ...]  # type, as named, by current body
    pieces: dict[str, int]
    responses_by_rule: dict[str, int]

    @property
    def responses_matched(self) -> int:
        return sum(n for rule, n in self.responses_by_rule.items() if rule != "unmatched")

    @property
    def responses_total(self) -> int:
        return sum(self.responses_by_rule.values())


def organisation_figures(warehouse: Path) -> OrganisationFigures:
    """The organisation figures of a built warehouse (opened read-only)."""
    if not Path(warehouse).is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}: build it first (make run)")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        trusts = tuple(
            TrustCount(*row)
            for row in connection.execute(TRUSTS_BY_CURRENT_SQL, list(TRUST_TYPES)).fetchall()
        )
        types = tuple(tuple(row) for row in connection.execute(TYPES_SQL).fetchall())
        cursor = connection.execute(PIECES_SQL)
        names = [column[0] for column in cursor.description]
        pieces = dict(zip(names, cursor.fetchone(), strict=True))
        responses = dict(connection.execute(RESPONSES_SQL).fetchall())
    return OrganisationFigures(trusts, types, pieces, responses)


def print_organisation_figures(figures: OrganisationFigures, out: TextIO = sys.stdout) -> None:
    print("Organisations today (by current body, after closures, mergers and renames)", file=out)
    for trust in figures.trusts:
        print(
            f"  {trust.trust_type:<24} {trust.country:<8} {trust.current_organisations:>4} current"
            f" ({trust.organisations_as_named} as named)",
            file=out,
        )
    print("  organisations per type: as named -> by current body", file=out)
    for organisation_type, as_named, by_current in figures.types:
        print(f"    {organisation_type:<24} {as_named:>5} -> {by_current:>5}", file=out)
    named = figures.pieces["named_pieces"]
    print("  recipient pieces (named)", file=out)
    for label in ("listed", "any_organisation", "unresolved_nhs_name", "no_organisation"):
        print(f"    {share(figures.pieces[label], named)}  {label.replace('_', ' ')}", file=out)
    matched = share(figures.responses_matched, figures.responses_total)
    print(f"  response documents matched {matched}", file=out)
    for rule, documents in figures.responses_by_rule.items():
        print(f"    {rule:<20} {documents:>6,}", file=out)
