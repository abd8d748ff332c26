"""The one vocabulary of the analyst commands' filters (organisation types, recipient sources,
coroner areas, organisations), used by `pfdw report`, `pfdw sql --var` and `pfdw export` alike,
and the report scope built from it. Names are resolved against the warehouse's own dimensions in
Python or with bound parameters: user text never goes into SQL text.

Typed words are compared the same way everywhere (`word_key`): case, spaces, hyphens and
punctuation do not matter, and a plural finds its singular ("councils", "police forces")."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass

import duckdb

from orchestration.analyst.output import plural
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


def word_key(text: str) -> str:
    """A typed word as the vocabulary compares it: lower case, "&" read as "and", every run of
    spaces, hyphens and punctuation one underscore ("Mental-health  trust": mental_health_trust)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("&", " and ")).strip("_")


def _singulars(key: str) -> tuple[str, ...]:
    """The key, then what it would be without a plural ending ("councils", "authorities")."""
    forms = [key]
    if key.endswith("ies"):
        forms.append(key[:-3] + "y")
    if key.endswith("s"):
        forms.append(key[:-1])
    return tuple(forms)


def _organisation_type_words() -> dict[str, str]:
    words = {word_key(label): kind for kind, label in TYPE_LABELS.items()}
    words.update({word_key(alias): kind for alias, kind in ORGANISATION_TYPE_ALIASES.items()})
    words.update({kind: kind for kind in ORGANISATION_TYPES})
    return words


def resolve_organisation_type(text: str) -> str:
    """A controlled organisation type from its value, an alias or its label, any case or
    spacing, singular or plural; an unknown word fails naming the valid ones."""
    words = _organisation_type_words()
    for form in _singulars(word_key(text)):
        if form in words:
            return words[form]
    aliases = ", ".join(sorted(ORGANISATION_TYPE_ALIASES))
    raise ScopeError(
        f"Unknown organisation type {text.strip()!r}. Use one of: {', '.join(ORGANISATION_TYPES)} "
        f"(or an alias: {aliases})."
    )


def resolve_organisation_types(texts: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Organisation types from comma-separated text (or several such texts), each once, in the
    order given."""
    words = [texts] if isinstance(texts, str) else list(texts)
    parts = [part for text in words for part in text.split(",") if part.strip()]
    if not parts:
        raise ScopeError(
            f"No organisation type given. Use one or more of: {', '.join(ORGANISATION_TYPES)}."
        )
    return tuple(dict.fromkeys(resolve_organisation_type(part) for part in parts))


def resolve_recipient_sources(texts: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Recipient sources from comma-separated text (or several such texts), in the canonical
    order; an unknown word fails naming the valid ones."""
    vocabulary = {source: source for source in RECIPIENT_SOURCES}
    vocabulary.update(
        {word_key(alias): source for alias, source in RECIPIENT_SOURCE_ALIASES.items()}
    )
    words = [texts] if isinstance(texts, str) else list(texts)
    chosen: set[str] = set()
    for word in (part for text in words for part in text.split(",")):
        if not word_key(word):
            continue
        source = next((vocabulary[f] for f in _singulars(word_key(word)) if f in vocabulary), None)
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
        f"{text.strip()!r} matches {plural(len(matches), kind)}: {shown}{more}. Give {option} "
        "the exact name or the key."
    )


def resolve_organisation(
    connection: duckdb.DuckDBPyConnection, text: str, option: str = "--org"
) -> Match:
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
            return _choose("organisation", text, option, [Match(r[0], r[1]) for r in rows])
    return _choose("organisation", text, option, [])


def current_organisation(connection: duckdb.DuckDBPyConnection, match: Match) -> Match:
    """The body that answers for an organisation now (itself when nothing changed)."""
    row = connection.execute(
        "SELECT current_organisation_key, current_organisation_name FROM main.dim_organisations "
        "WHERE organisation_key = ? AND current_organisation_key IS NOT NULL",
        [match.key],
    ).fetchone()
    return Match(row[0], row[1] or row[0]) if row else match


def area_key_form(text: str) -> str:
    """A coroner area name as a key: the warehouse's own slug rule (lower case, accents dropped,
    every run of other characters one hyphen), with "&" read as "and"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower().replace("&", " and ")).strip("-")


@dataclass(frozen=True)
class CoronerArea:
    key: str
    name: str
    is_current: bool
    spellings: tuple[str, ...] = ()


def coroner_areas(connection: duckdb.DuckDBPyConnection) -> list[CoronerArea]:
    """Every area of dim_coroner_areas, current ones first (raw_spellings when the mart has it)."""
    from orchestration.warehouse.connection import table_exists

    if not table_exists(connection, "main", "dim_coroner_areas"):
        raise ScopeError("The warehouse has no main.dim_coroner_areas, so no area can be chosen.")
    columns = {
        row[0]
        for row in connection.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name = 'dim_coroner_areas'"
        ).fetchall()
    }
    # one of two fixed expressions, never user text
    spellings = "raw_spellings" if "raw_spellings" in columns else "[]::VARCHAR[]"
    sql = (
        f"SELECT coroner_area_key, coroner_area, coalesce(is_current, false), {spellings} "  # noqa: S608
        "FROM main.dim_coroner_areas WHERE coroner_area_key IS NOT NULL "
        "ORDER BY 3 DESC, coroner_area"
    )
    rows = connection.execute(sql).fetchall()
    return [CoronerArea(k, n or k, bool(c), tuple(s or ())) for k, n, c, s in rows]


def match_area(areas: list[CoronerArea], text: str) -> list[CoronerArea]:
    """The areas a typed area names: its key or canonical name in any case or spacing, else one
    of its known spellings, else a part of its name; the first tier that matches wins."""
    needle = area_key_form(text)
    if not needle:
        return []
    tiers = (
        lambda area: needle in (area.key, area_key_form(area.name)),
        lambda area: needle in {area_key_form(spelling) for spelling in area.spellings},
        lambda area: needle in area_key_form(area.name) or needle in area.key,
    )
    for tier in tiers:
        found = [area for area in areas if tier(area)]
        if found:
            return found
    return []


def resolve_area(connection: duckdb.DuckDBPyConnection, text: str, option: str = "--area") -> Match:
    """One coroner area (current or historic) from a name, a known spelling or a key, any case;
    none or several is a ScopeError naming the candidates."""
    areas = coroner_areas(connection)
    found = match_area(areas, text)
    if found:
        return _choose("coroner area", text, option, [Match(a.key, a.name) for a in found])
    closest = difflib.get_close_matches(
        area_key_form(text), [area.key for area in areas], n=5, cutoff=0.6
    )
    hint = f" Closest keys: {', '.join(closest)}." if closest else ""
    raise ScopeError(
        f"No coroner area matches {text.strip()!r}: give an area's name, a known spelling or its "
        f"key.{hint} List them with: {LISTING_HINTS['coroner area']}"
    )


def resolve_organisation_keys(
    connection: duckdb.DuckDBPyConnection, texts: str, option: str = "--var org_keys"
) -> tuple[str, ...]:
    """Organisation keys from comma-separated keys (or names, as --org takes them), each once."""
    parts = [part for part in texts.split(",") if part.strip()]
    if not parts:
        raise ScopeError(f"{option}: no organisation given.")
    return tuple(dict.fromkeys(resolve_organisation(connection, p, option).key for p in parts))


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
    types = resolve_organisation_types(org_types) if org_types else ()
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


def variable_value(connection: duckdb.DuckDBPyConnection | None, name: str, value: str):
    """``pfdw sql --var NAME=VALUE`` for a scope word, in the same vocabulary as ``pfdw report``:
    org_types and recipient_sources take the report's aliases, area_key an area's name, spelling
    or key, org_keys keys or names (checked against the warehouse when there is a connection).
    None for a name that is not a scope word; a ScopeError names the --var and what to use."""
    option = f"--var {name}"
    try:
        if name == "org_types":
            return list(resolve_organisation_types(value))
        if name == "recipient_sources":
            return list(resolve_recipient_sources(value))
        if name == "area_key":
            if connection is None:
                return area_key_form(value)
            return resolve_area(connection, value, option).key
        if name == "org_keys":
            if connection is None:
                return [part.strip() for part in value.split(",") if part.strip()]
            return list(resolve_organisation_keys(connection, value, option))
    except ScopeError as error:
        raise ScopeError(f"{option}={value}: {error}") from None
    return None
