"""A tiny warehouse made from ten real reports (tests/fixtures/search/reports.json: their four
searchable sections, cut to 1,800 characters, dates, areas and recipients as the marts hold
them) plus two reports without text, and its search index."""

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.search.build import build_for_warehouse

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "search" / "reports.json"
SCHEMA = """
CREATE TABLE main.fct_reports (report_url VARCHAR, ref VARCHAR, report_date DATE,
    published_date DATE, has_report_text BOOLEAN, coroner_area_key VARCHAR,
    coroner_area VARCHAR, current_coroner_area_key VARCHAR, current_coroner_area VARCHAR);
CREATE TABLE main.fct_report_sections (report_url VARCHAR, section_number INTEGER,
    section_key VARCHAR, section_text VARCHAR);
CREATE TABLE main.fct_report_recipients (report_url VARCHAR, organisation_key VARCHAR,
    organisation_name VARCHAR, organisation_type VARCHAR, current_organisation_key VARCHAR,
    current_organisation_name VARCHAR, current_organisation_type VARCHAR,
    recipient_source VARCHAR, first_recipient_position BIGINT);
CREATE TABLE main.dim_organisations (organisation_key VARCHAR, canonical_name VARCHAR,
    raw_spellings VARCHAR[], is_listed BOOLEAN, report_count BIGINT,
    current_organisation_key VARCHAR, current_organisation_name VARCHAR);
CREATE TABLE main.dim_coroner_areas (coroner_area_key VARCHAR, coroner_area VARCHAR,
    is_current BOOLEAN, raw_spellings VARCHAR[]);
CREATE TABLE main.dim_deceased (report_url VARCHAR, deceased_name VARCHAR);
"""
RECIPIENT_FIELDS = (
    "organisation_key",
    "organisation_name",
    "organisation_type",
    "current_organisation_key",
    "current_organisation_name",
    "current_organisation_type",
    "recipient_source",
)


def fixture_reports() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def deceased_name(report_url: str) -> str:
    """The name as the report's address spells it ('.../dayle-bates-prevention-...' -> Dayle
    Bates), as dim_deceased holds it for these reports."""
    slug = report_url.rstrip("/").rsplit("/", 1)[-1].split("-prevention")[0]
    return " ".join(word.capitalize() for word in slug.split("-"))


def write_report(con, report: dict) -> None:
    con.execute(
        "INSERT INTO main.dim_deceased VALUES (?, ?)",
        [report["report_url"], deceased_name(report["report_url"])],
    )
    con.execute(
        "INSERT INTO main.fct_reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report["report_url"],
            report["ref"],
            report["report_date"],
            report["published_date"],
            bool(report["sections"]),
            report["coroner_area_key"],
            report["coroner_area"],
            report["current_coroner_area_key"],
            report["current_coroner_area"],
        ],
    )
    for number, (key, text) in enumerate(report["sections"].items(), start=1):
        con.execute(
            "INSERT INTO main.fct_report_sections VALUES (?, ?, ?, ?)",
            [report["report_url"], number, key, text],
        )
    for position, recipient in enumerate(report["recipients"], start=1):
        con.execute(
            "INSERT INTO main.fct_report_recipients VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [report["report_url"], *(recipient[f] for f in RECIPIENT_FIELDS), position],
        )


def make_warehouse(path: Path, reports: list[dict] | None = None) -> Path:
    """A warehouse with the marts the index and the filters read, from ``reports``."""
    reports = fixture_reports() if reports is None else reports
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(SCHEMA)
        for report in reports:
            write_report(con, report)
        for number in (1, 2):  # reports whose text was never read
            con.execute(
                "INSERT INTO main.fct_reports (report_url, ref, has_report_text) "
                "VALUES (?, ?, false)",
                [f"https://www.judiciary.uk/no-text-{number}/", f"2020-000{number}"],
            )
        # boilerplate is not searchable
        con.execute(
            "INSERT INTO main.fct_report_sections VALUES (?, 9, 'legal_powers', ?)",
            [reports[0]["report_url"], "I make this report under paragraph 7 zanzibarword"],
        )
        con.execute(
            """INSERT INTO main.dim_organisations
               SELECT organisation_key, any_value(organisation_name), [], true, count(*),
                   any_value(current_organisation_key), any_value(current_organisation_name)
               FROM main.fct_report_recipients GROUP BY organisation_key"""
        )
        con.execute(
            """INSERT INTO main.dim_coroner_areas
               SELECT DISTINCT coroner_area_key, coroner_area, true, []
               FROM main.fct_reports WHERE coroner_area_key IS NOT NULL"""
        )
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A published-like warehouse with its index built and named (run id ``first``)."""
    path = make_warehouse(tmp_path_factory.mktemp("search") / "warehouse" / "pfd.duckdb")
    build_for_warehouse(path, "first")
    return path
