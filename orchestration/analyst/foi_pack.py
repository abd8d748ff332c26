"""``pfdw foi pack``: Freedom of Information request packs, one per organisation.

For each organisation asked (named with --org, or every current organisation of an --org-type),
a request letter (Markdown and print-ready HTML: foi_letter.py) and the list of every published
report we hold addressed to it in the period, as a spreadsheet to fill in (.xlsx and .csv:
foi_sheets.py), plus an index of the pack (pack.csv, pack.md) and a starter request log
(requests.csv) to load once the requests are sent.

The lines are the reports the analyst report counts for the organisation: by current
organisation (former names rolled up), from the report scope of orchestration/analyst/questions
(_scope.sql), dated in the period by report date (publication date when the report date is
unknown). The warehouse is opened read-only; every value reaches SQL as a bound parameter.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.analyst.export import neutralise_cell
from orchestration.analyst.output import plural
from orchestration.analyst.scope import (
    Match,
    ScopeError,
    current_organisation,
    resolve_organisation,
    resolve_organisation_types,
)

REFERENCE_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,39}")
INDEX_COLUMNS = (
    "organisation_name",
    "organisation_key",
    "request_reference",
    "period_start",
    "period_end",
    "report_lines",
    "date_sent",
    "statutory_due_date",
    "letter_markdown",
    "letter_html",
    "spreadsheet_xlsx",
    "spreadsheet_csv",
)
# The `requests` file kind (the campaign's request log), as orchestration/sources/returns reads it.
REQUEST_LOG_COLUMNS = (
    "organisation_name",
    "organisation_key",
    "request_reference",
    "date_sent",
    "period_start",
    "period_end",
    "status",
    "refusal_section",
    "answer_date",
    "note",
)


@dataclass(frozen=True)
class PackOptions:
    """What ``pfdw foi pack`` was asked for (its defaults are the command line's: foi_cli.py)."""

    orgs: tuple[str, ...]
    org_types: tuple[str, ...]
    since: dt.date
    until: dt.date | None
    with_names: bool
    reference_prefix: str
    sent_on: dt.date | None = None

    @property
    def period_end(self) -> dt.date:
        return self.until or dt.date.today()


@dataclass(frozen=True)
class ReportLine:
    ref: str | None
    date_of_report: dt.date | None
    coroner_area: str | None
    link: str
    deceased_name: str | None = None


@dataclass
class OrganisationPack:
    key: str
    name: str
    request_reference: str
    period_start: dt.date
    period_end: dt.date
    lines: list[ReportLine] = field(default_factory=list)
    # Names the reports used for it when it was another body (rolled up to it now).
    former_names: tuple[str, ...] = ()
    files: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class PackResult:
    packs: list[OrganisationPack]
    index_csv: Path
    index_md: Path
    request_log: Path
    due_date: dt.date | None


def check_options(options: PackOptions) -> None:
    """One line for each kind of bad option (a ScopeError: a usage error, exit 2)."""
    if not options.orgs and not options.org_types:
        raise ScopeError(
            "give --org (a name or key; repeatable) or --org-type (e.g. mental_health_trust)."
        )
    if options.until is not None and options.since > options.until:
        raise ScopeError(f"--since {options.since} is after --until {options.until}.")
    if not REFERENCE_PREFIX.fullmatch(options.reference_prefix):
        raise ScopeError(
            f"--request-reference-prefix {options.reference_prefix!r}: use 1 to 40 letters, digits,"
            " '.', '_', '/' or '-', starting with a letter or digit."
        )


def _is_current(connection: duckdb.DuckDBPyConnection, key: str) -> bool:
    row = connection.execute(
        "SELECT coalesce(is_current, true) FROM main.dim_organisations WHERE organisation_key = ?",
        [key],
    ).fetchone()
    return bool(row and row[0])


def choose_organisations(
    connection: duckdb.DuckDBPyConnection, orgs: tuple[str, ...], org_types: tuple[str, ...]
) -> list[Match]:
    """The bodies to ask, each once: every --org as the body that answers for it now, and every
    current organisation of each --org-type, in name order."""
    chosen: dict[str, Match] = {}
    types = resolve_organisation_types(list(org_types)) if org_types else ()
    for text in orgs:
        named = resolve_organisation(connection, text)
        answering = current_organisation(connection, named)
        if not _is_current(connection, answering.key):
            raise ScopeError(
                f"--org {text!r}: {answering.name} ({answering.key}) no longer exists and the "
                "warehouse names no successor, so no body can answer for it."
            )
        chosen.setdefault(answering.key, answering)
    if types:
        rows = connection.execute(
            "SELECT organisation_key, canonical_name FROM main.dim_organisations "
            "WHERE list_contains(?::VARCHAR[], organisation_type) AND is_current "
            "ORDER BY canonical_name, organisation_key",
            [list(types)],
        ).fetchall()
        for key, name in rows:
            chosen.setdefault(key, Match(key, name or key))
    return sorted(chosen.values(), key=lambda match: (match.name.lower(), match.key))


NAMES_SQL = (
    "(select string_agg(deceased.deceased_name, '; ' order by deceased.person_position)"
    " from main.dim_deceased as deceased"
    " where deceased.report_url = reports_in_scope.report_url"
    " and deceased.deceased_name is not null)"
)


def _lines_sql(with_names: bool) -> str:
    """The reports in scope for each organisation as shown (the report scope's own CTEs); with
    names, the deceased's names from dim_deceased (the only place this module reads them)."""
    from orchestration.analyst.questions import SCOPE_FILE

    # one of two fixed expressions, never user text
    names = NAMES_SQL if with_names else "null"
    return (
        SCOPE_FILE.read_text(encoding="utf-8")
        + f"""
select
    report_organisations.organisation_key,
    report_organisations.former_names,
    reports_in_scope.ref,
    reports_in_scope.report_date,
    coalesce(reports_in_scope.coroner_area, reports_in_scope.current_coroner_area) as coroner_area,
    reports_in_scope.report_url,
    {names} as deceased_name
from report_organisations
inner join reports_in_scope on report_organisations.report_url = reports_in_scope.report_url
where list_contains(getvariable('org_keys'), report_organisations.organisation_key)
order by
    report_organisations.organisation_key,
    coalesce(reports_in_scope.report_date, reports_in_scope.published_date),
    reports_in_scope.ref,
    reports_in_scope.report_url
"""  # noqa: S608
    )


def report_lines(
    connection: duckdb.DuckDBPyConnection,
    keys: list[str],
    since: dt.date,
    until: dt.date,
    *,
    with_names: bool = False,
) -> dict[str, tuple[list[ReportLine], tuple[str, ...]]]:
    """Per organisation key: its report lines and the former names they were addressed to."""
    from orchestration.analyst.questions import ScopeVariables, apply_scope

    found: dict[str, tuple[list[ReportLine], set[str]]] = {key: ([], set()) for key in keys}
    if not keys:
        return {}
    apply_scope(connection, ScopeVariables(org_keys=tuple(keys), since=since, until=until))
    rows = connection.execute(_lines_sql(with_names)).fetchall()
    for key, former, ref, report_date, area, url, name in rows:
        lines, names = found[key]
        lines.append(ReportLine(ref, report_date, area, url, name if with_names else None))
        names.update(former or ())
    return {key: (lines, tuple(sorted(names))) for key, (lines, names) in found.items()}


def request_reference(prefix: str, organisation_key: str) -> str:
    """One reference per organisation: the prefix and the organisation key (ods:RXT: -ODS-RXT)."""
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9]+', '-', organisation_key).strip('-').upper()}"


def file_stem(organisation: Match) -> str:
    """A file name for an organisation, unique by its key: a returned file is told apart (and
    superseded) by its name, so two bodies' answers never share one."""
    key = re.sub(r"[^a-z0-9]+", "-", organisation.key.lower()).strip("-")
    name = re.sub(r"[^a-z0-9]+", "-", organisation.name.lower()).strip("-")[:60].strip("-")
    return f"{key}-{name}" if name else key


def build_packs(
    connection: duckdb.DuckDBPyConnection, options: PackOptions
) -> list[OrganisationPack]:
    check_options(options)
    organisations = choose_organisations(connection, options.orgs, options.org_types)
    if not organisations:
        raise ScopeError(
            f"no current organisation of type {', '.join(options.org_types)} in the warehouse."
        )
    lines = report_lines(
        connection,
        [organisation.key for organisation in organisations],
        options.since,
        options.period_end,
        with_names=options.with_names,
    )
    return [
        OrganisationPack(
            key=organisation.key,
            name=organisation.name,
            request_reference=request_reference(options.reference_prefix, organisation.key),
            period_start=options.since,
            period_end=options.period_end,
            lines=lines[organisation.key][0],
            former_names=lines[organisation.key][1],
        )
        for organisation in organisations
    ]


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: neutralise_cell(_text(row.get(column))) for column in columns})


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def write_packs(packs: list[OrganisationPack], options: PackOptions, out_dir: Path) -> PackResult:
    """Every organisation's letter and spreadsheets, then the index and the request log."""
    from orchestration.analyst.foi_letter import write_letters
    from orchestration.analyst.foi_sheets import write_report_list
    from orchestration.sources.returns.foi_dates import statutory_due_date

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    due = statutory_due_date(options.sent_on) if options.sent_on else None
    for pack in packs:
        stem = file_stem(Match(pack.key, pack.name))
        pack.files["spreadsheet_xlsx"], pack.files["spreadsheet_csv"] = write_report_list(
            pack, out_dir / f"{stem}-reports", with_names=options.with_names
        )
        pack.files["letter_markdown"], pack.files["letter_html"] = write_letters(
            pack, out_dir / f"{stem}-letter", options, due
        )
    index_rows = [
        {
            "organisation_name": pack.name,
            "organisation_key": pack.key,
            "request_reference": pack.request_reference,
            "period_start": pack.period_start,
            "period_end": pack.period_end,
            "report_lines": len(pack.lines),
            "date_sent": options.sent_on,
            "statutory_due_date": due,
            **{kind: path.name for kind, path in pack.files.items()},
        }
        for pack in packs
    ]
    index_csv = out_dir / "pack.csv"
    _write_csv(index_csv, INDEX_COLUMNS, index_rows)
    request_log = out_dir / "requests.csv"
    _write_csv(
        request_log,
        REQUEST_LOG_COLUMNS,
        [{**row, "status": "sent"} for row in index_rows],
    )
    index_md = out_dir / "pack.md"
    index_md.write_text(_index_markdown(packs, options, due), encoding="utf-8")
    return PackResult(packs, index_csv, index_md, request_log, due)


def _index_markdown(packs: list[OrganisationPack], options: PackOptions, due) -> str:
    from orchestration.analyst.foi_letter import markdown_text
    from orchestration.sources.returns.foi_dates import DUE_DATE_RULE

    total = sum(len(pack.lines) for pack in packs)
    lines = [
        "# FOI request pack: Prevention of Future Deaths reports received",
        "",
        f"Period asked about: {options.since} to {options.period_end}. "
        f"{plural(len(packs), 'organisation')}, {plural(total, 'published report')} listed "
        f"({'names of the deceased included' if options.with_names else 'no names'}).",
        "",
    ]
    if due:
        lines += [f"Sent on {options.sent_on}: answers due by {due} ({DUE_DATE_RULE}).", ""]
    lines += [
        "Send each body its letter with its spreadsheet. `requests.csv` is the request log: fill in"
        " `date_sent` as each request goes, update `status` as answers come, and load it with"
        " `pfdw returns load requests.csv`. A returned spreadsheet loads the same way, under the"
        " file name it was sent with.",
        "",
        "| organisation | key | reference | reports listed | letter | spreadsheet |",
        "|---|---|---|---:|---|---|",
    ]
    for pack in packs:
        cells = [
            markdown_text(pack.name),
            markdown_text(pack.key),
            markdown_text(pack.request_reference),
            str(len(pack.lines)),
            f"{markdown_text(pack.files['letter_markdown'].name)}, "
            f"{markdown_text(pack.files['letter_html'].name)}",
            f"{markdown_text(pack.files['spreadsheet_xlsx'].name)}, "
            f"{markdown_text(pack.files['spreadsheet_csv'].name)}",
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def make_pack(warehouse: Path, options: PackOptions, out_dir: Path) -> PackResult:
    """Open the published warehouse read-only, build every organisation's pack, write it."""
    from orchestration.analyst.warehouse import open_read_only, require_marts

    check_options(options)
    connection = open_read_only(warehouse)
    try:
        require_marts(connection, warehouse)
        packs = build_packs(connection, options)
    finally:
        connection.close()
    return write_packs(packs, options, out_dir)
