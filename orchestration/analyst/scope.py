"""Turn the report's command-line filters into scope variables, resolving names against the
warehouse's own dimensions (parameters only: user text never goes into SQL text)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from orchestration.analyst.questions import ScopeVariables

ORGANISATION_TYPES = (
    "nhs_mental_health_trust",
    "nhs_ambulance_trust",
    "nhs_acute_trust",
    "nhs_community_trust",
    "icb_health_board",
    "government_department",
    "regulator_alb",
    "local_authority",
    "police",
    "prison_probation",
    "care_provider",
    "education",
    "private_company",
    "charity",
    "other",
)

# Friendly names an analyst types, mapped to the controlled values in dim_organisations.
ORGANISATION_TYPE_ALIASES = {
    "mental_health_trust": "nhs_mental_health_trust",
    "mental_health": "nhs_mental_health_trust",
    "ambulance_trust": "nhs_ambulance_trust",
    "ambulance": "nhs_ambulance_trust",
    "acute_trust": "nhs_acute_trust",
    "hospital_trust": "nhs_acute_trust",
    "community_trust": "nhs_community_trust",
    "icb": "icb_health_board",
    "health_board": "icb_health_board",
    "government": "government_department",
    "department": "government_department",
    "regulator": "regulator_alb",
    "arms_length_body": "regulator_alb",
    "council": "local_authority",
    "police_force": "police",
    "prison": "prison_probation",
    "probation": "prison_probation",
    "care_home": "care_provider",
    "company": "private_company",
    "school": "education",
    "university": "education",
}

TYPE_LABELS = {
    "nhs_mental_health_trust": "NHS mental health trusts",
    "nhs_ambulance_trust": "NHS ambulance trusts",
    "nhs_acute_trust": "NHS acute trusts",
    "nhs_community_trust": "NHS community trusts",
    "icb_health_board": "ICBs and health boards",
    "government_department": "government departments",
    "regulator_alb": "regulators and arm's-length bodies",
    "local_authority": "local authorities",
    "police": "police forces",
    "prison_probation": "prisons and probation",
    "care_provider": "care providers",
    "education": "education bodies",
    "private_company": "private companies",
    "charity": "charities",
    "other": "other organisations",
}


# Where a recipient came from (fct_report_recipients.recipient_source), with the words an analyst
# may type for each.
RECIPIENT_SOURCES = ("header", "report_text", "response_document")
RECIPIENT_SOURCE_ALIASES = {
    "page_header": "header",
    "sent_to": "header",
    "text": "report_text",
    "report": "report_text",
    "response": "response_document",
    "responses": "response_document",
    "answer": "response_document",
    "answers": "response_document",
    "responder": "response_document",
}
RECIPIENT_SOURCE_LABELS = {
    "header": "the page header",
    "report_text": "the report's text",
    "response_document": "their answers",
}


class ScopeError(ValueError):
    """A filter that names nothing in the warehouse, or names several things."""


def resolve_organisation_type(text: str) -> str:
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    if key in ORGANISATION_TYPES:
        return key
    if key in ORGANISATION_TYPE_ALIASES:
        return ORGANISATION_TYPE_ALIASES[key]
    if key.endswith("s") and key[:-1] in ORGANISATION_TYPE_ALIASES:
        return ORGANISATION_TYPE_ALIASES[key[:-1]]
    aliases = ", ".join(sorted(ORGANISATION_TYPE_ALIASES))
    raise ScopeError(
        f"Unknown organisation type {text!r}. Use one of: {', '.join(ORGANISATION_TYPES)} "
        f"(or an alias: {aliases})."
    )


def resolve_recipient_sources(texts: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Recipient sources from comma-separated text (or several such texts), in the canonical
    order; an unknown word fails naming the valid ones."""
    words = [texts] if isinstance(texts, str) else list(texts)
    chosen: set[str] = set()
    for word in (part for text in words for part in text.split(",")):
        key = word.strip().lower().replace("-", "_").replace(" ", "_")
        if not key:
            continue
        source = key if key in RECIPIENT_SOURCES else RECIPIENT_SOURCE_ALIASES.get(key)
        if source is None:
            raise ScopeError(
                f"Unknown recipient source {word.strip()!r}. Use one or more of: "
                f"{', '.join(RECIPIENT_SOURCES)} (comma-separated)."
            )
        chosen.add(source)
    if not chosen:
        raise ScopeError(
            f"No recipient source given. Use one or more of: {', '.join(RECIPIENT_SOURCES)}."
        )
    return tuple(source for source in RECIPIENT_SOURCES if source in chosen)


@dataclass(frozen=True)
class Match:
    key: str
    name: str


LISTING_HINTS = {
    "organisation": 'pfdw sql "SELECT organisation_key, canonical_name FROM dim_organisations"',
    "coroner area": 'pfdw sql "SELECT coroner_area_key, coroner_area FROM dim_coroner_areas"',
}


def _choose(kind: str, text: str, option: str, matches: list[Match]) -> Match:
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ScopeError(f"No {kind} matches {text!r}. List them with: {LISTING_HINTS[kind]}")
    shown = "; ".join(f"{m.name} ({m.key})" for m in matches[:12])
    more = f" and {len(matches) - 12} more" if len(matches) > 12 else ""
    raise ScopeError(
        f"{text!r} matches {len(matches)} {kind}s: {shown}{more}. Give {option} the exact name "
        "or the key."
    )


def resolve_organisation(connection: duckdb.DuckDBPyConnection, text: str) -> Match:
    """Exact key or canonical name (any case) first, then a raw spelling, then a unique
    substring of the canonical name."""
    needle = text.strip()
    for sql in (
        "SELECT organisation_key, canonical_name FROM main.dim_organisations "
        "WHERE lower(organisation_key) = lower(?) OR lower(canonical_name) = lower(?)",
        "SELECT organisation_key, canonical_name FROM main.dim_organisations "
        "WHERE list_contains(list_transform(raw_spellings, lambda s: lower(s)), lower(?)) "
        "AND ? IS NOT NULL",
        "SELECT organisation_key, canonical_name, is_listed FROM main.dim_organisations "
        "WHERE contains(lower(canonical_name), lower(?)) AND ? IS NOT NULL "
        "ORDER BY report_count DESC, canonical_name",
    ):
        rows = connection.execute(sql, [needle, needle]).fetchall()
        listed = [row for row in rows if len(row) > 2 and row[2]]
        if len(rows) > 1 and len(listed) == 1:
            # One listed organisation beside unlisted spellings of it: the listed one is meant.
            rows = listed
        if rows:
            return _choose("organisation", text, "--org", [Match(r[0], r[1]) for r in rows])
    return _choose("organisation", text, "--org", [])


def current_organisation(connection: duckdb.DuckDBPyConnection, match: Match) -> Match:
    """The body that answers for an organisation now (itself when nothing changed)."""
    row = connection.execute(
        "SELECT current_organisation_key, current_organisation_name FROM main.dim_organisations "
        "WHERE organisation_key = ? AND current_organisation_key IS NOT NULL",
        [match.key],
    ).fetchone()
    return Match(row[0], row[1] or row[0]) if row else match


def resolve_area(connection: duckdb.DuckDBPyConnection, text: str) -> Match:
    needle = text.strip()
    for sql in (
        "SELECT coroner_area_key, coroner_area FROM main.dim_coroner_areas "
        "WHERE lower(coroner_area_key) = lower(?) OR lower(coroner_area) = lower(?)",
        "SELECT coroner_area_key, coroner_area FROM main.dim_coroner_areas "
        "WHERE contains(lower(coroner_area), lower(?)) AND ? IS NOT NULL "
        "ORDER BY is_current DESC, coroner_area",
    ):
        rows = connection.execute(sql, [needle, needle]).fetchall()
        if rows:
            return _choose("coroner area", text, "--area", [Match(k, n) for k, n in rows])
    return _choose("coroner area", text, "--area", [])


@dataclass(frozen=True)
class ReportScope:
    """What a report covers, in words and as the variables the SQL reads."""

    variables: ScopeVariables
    organisation_types: tuple[str, ...] = ()
    organisation: Match | None = None
    area: Match | None = None
    # The organisation as given (--org) when it rolls up to another current organisation.
    named_organisation: Match | None = None

    @property
    def as_named(self) -> bool:
        return self.variables.as_named

    @property
    def organisations_shown(self) -> str:
        """How organisations are grouped, in the words the report uses."""
        if self.as_named:
            return "as named at the time; former names not rolled up to their successors"
        return "by current organisation; former names rolled up"

    @property
    def recipient_sources_text(self) -> str | None:
        sources = self.variables.recipient_sources
        if sources is None:
            return None
        return ", ".join(RECIPIENT_SOURCE_LABELS[source] for source in sources)

    @property
    def title(self) -> str:
        parts = []
        if self.organisation is not None and self.named_organisation is not None:
            parts.append(f"{self.organisation.name} (successor of {self.named_organisation.name})")
        elif self.organisation is not None:
            parts.append(self.organisation.name)
        elif self.organisation_types:
            parts.append(", ".join(TYPE_LABELS.get(t, t) for t in self.organisation_types))
        else:
            parts.append("all recipients")
        if self.area is not None:
            parts.append(f"reports from {self.area.name}")
        since, until = self.variables.since, self.variables.until
        if since or until:
            parts.append(f"{since or 'start'} to {until or 'latest'}")
        if self.recipient_sources_text is not None:
            parts.append(f"recipients from {self.recipient_sources_text}")
        if self.as_named:
            parts.append("as named at the time")
        return " · ".join(parts)


def build_scope(
    connection: duckdb.DuckDBPyConnection,
    *,
    org_types: list[str] | None = None,
    org: str | None = None,
    area: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    recipient_sources: str | list[str] | None = None,
    as_named: bool = False,
) -> ReportScope:
    """The scope of a report. By default organisations are the bodies that answer for them now:
    --org naming a former trust reports on its successor, former names included; with as_named
    each organisation stands as named on the report."""
    if since and until and since > until:
        raise ScopeError(f"--since {since} is after --until {until}.")
    types = tuple(dict.fromkeys(resolve_organisation_type(t) for t in (org_types or [])))
    organisation = resolve_organisation(connection, org) if org else None
    named_organisation = None
    if organisation is not None and not as_named:
        current = current_organisation(connection, organisation)
        if current.key != organisation.key:
            organisation, named_organisation = current, organisation
    coroner_area = resolve_area(connection, area) if area else None
    sources = resolve_recipient_sources(recipient_sources) if recipient_sources else None
    variables = ScopeVariables(
        org_types=types or None,
        org_keys=(organisation.key,) if organisation else None,
        area_key=coroner_area.key if coroner_area else None,
        since=since,
        until=until,
        recipient_sources=sources,
        as_named=as_named,
    )
    return ReportScope(variables, types, organisation, coroner_area, named_organisation)
