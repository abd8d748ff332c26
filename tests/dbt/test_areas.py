"""Coroner areas on real report rows: every report resolves to an area or is listed unresolved
with its raw text, the rules that place a blank or partial area line from the coroner, and the
check of each page's area against its coroner's (a finding, never a correction).

The rows are real header values from shared/data/judiciary/pfd_reports.csv (page URL slug, ref,
date of report, date added, coroner name, coroner area), chosen for each rule; the coroner's other
reports within a year are there because the rules read them."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from tests.dbt.sample_warehouse import build_raw_warehouse, run_dbt_build

pytestmark = pytest.mark.slow

SITE = "https://www.judiciary.uk/prevention-of-future-death-reports/"
PFD = "-prevention-of-future-deaths-report/"

# slug, ref, date of report, date added, coroner name, coroner area (None: blank on the page)
# fmt: off
ROWS = [
    # Zafar Siddique: a blank area line among his Black Country reports
    ("margaret-spencer-2/", "", "29 March 2018", "29/03/2018", "Zafar Siddique", None),
    ("frank-hayward-2/", "", "29 March 2018", "29/03/2018", "Zafar Siddique", "Black Country"),
    ("ronald-compson/", "2018-0030", "24 January 2018", "08/06/2018", "Zafar Siddique",
     "Black Country"),
    # Kevin McLoughlin: "West Yorkshire" is part of two areas' names; his reports say East
    ("leslie-clewarth/", "2020-0229", "10 November 2020", "23/12/2020", "Kevin McLoughlin",
     "West Yorkshire"),
    ("joseph-nihill/", "2020-0175", "18 September 2020", "16/11/2020", "Kevin McLoughlin",
     "West Yorkshire (East)"),
    ("anya-buckley/", "2021-0014", "19 January 2021", "26/01/2021", "Kevin McLoughlin",
     "West Yorkshire (Eastern)"),
    # Andrew Walker: a bare "London" (not "London City"), and one Inner South page
    ("mcmahon-2013-0271/", "2013-0271", "21/11/2013", "19/12/2013", "Andrew Walker", "London"),
    ("mark-stephen-smith/", "2013-0268", "21 October 2013", "21/10/2013", "Andrew Walker",
     "London (North)"),
    ("grace-mary-bates/", "2014-0007", "7 January 2014", "07/01/2014", "Andrew Walker",
     "London (North)"),
    ("wayne-broad/", "2014-0020", "17 January 2014", "17/01/2014", "Andrew Walker",
     "London (North)"),
    ("abiola-dosunmu/", "2014-0209", "9 May 2014", "05/05/2014", "Andrew Walker",
     "London Inner (South)"),
    # Sean Cummings: two areas, both his; one page has the area glued to his name
    ("hollie-richardson" + PFD, "2022-0311", "06/10/2022", "10/10/2022",
     "Sean Cummings Coroner Area: Bedfordshire and Luton", None),
    ("mandy-dickerson" + PFD, "2022-0100", "3 April 2022", "26/04/2022", "Dr Sean Cummings",
     "Bedfordshire and Luton"),
    ("sean-duignan" + PFD, "2023-0016", "16/01/2023", "23/01/2023", "Sean Cummings",
     "Bedfordshire and Luton"),
    ("michael-allen" + PFD, "2023-0048", "19/01/2023", "24/02/2023", "Sean Cummings",
     "Milton Keynes"),
    # a whole header pasted into the date field
    ("roadsafety/", "2013-0324",
     "4 December 2013 Ref: 2013-0324 Deceased name: Archibold Wellbelove Coroners name: "
     "R Brittain Coroners Area: Warwickshire Category: Road (Highways Safety)",
     "18/10/2013", None, None),
    # a joint name, a court that is no coroner area, a page with no coroner and no area
    ("narjit-gill" + PFD, "2024-0071", "09/02/2024", "21/02/2024", "Deborah Lakin",
     "Coventry and Warwickshire"),
    ("james-furlong-joseph-ritchie-bennett-and-david-wails" + PFD, "2024-0276", "20/05/2024",
     "23/05/2024", "Sir Adrian Fulford", "Central Criminal Court"),
    ("anne-whitworth/", "2014-0358", "30 July 2014", "30/07/2014", None, None),
]
HEADER = ["report_url", "ref", "date_of_report", "date_added", "deceased_name", "coroner_name",
          "coroner_area", "category", "sent_to", "report_pdf_url", "response_urls",
          "captured_from", "listed_on_2026_02_01"]
# fmt: on


def url(slug: str) -> str:
    return SITE + slug


@pytest.fixture(scope="module")
def areas_warehouse(tmp_path_factory) -> Path:
    work_dir = tmp_path_factory.mktemp("dbt_areas")
    sample = work_dir / "areas_sample.csv"
    with sample.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for slug, ref, reported, added, coroner, area in ROWS:
            writer.writerow(
                [url(slug), ref, reported, added, slug.split("-")[0].title(), coroner or "",
                 area or "", "Other related deaths", "", "", "", "page scrape 2026-02-01", "True"]
            )  # fmt: skip
    warehouse = work_dir / "pfd.duckdb"
    build_raw_warehouse(warehouse, sample)
    result = run_dbt_build(warehouse, work_dir, as_of="2026-02-01")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return warehouse


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return connection.execute(sql, params or []).fetchall()
    finally:
        connection.close()


def resolution(warehouse: Path, slug: str) -> tuple:
    return query(
        warehouse,
        "select current_coroner_area, area_resolution_method, area_resolution_confidence "
        "from intermediate.int_report_coroner_areas where report_url = ?",
        [url(slug)],
    )[0]


def test_every_report_is_resolved_or_listed_unresolved(areas_warehouse):
    counts = query(
        areas_warehouse,
        "select (select count(*) from intermediate.int_report_coroner_areas),"
        " (select count(*) from intermediate.int_report_coroner_areas"
        " where current_coroner_area is null),"
        " (select count(*) from main.audit_area_unresolved)",
    )[0]
    assert counts == (len(ROWS), 4, 4)
    unresolved = query(
        areas_warehouse,
        "select report_url, coroner_area_raw, coroner_name, report_date, area_resolution_method"
        " from main.audit_area_unresolved order by report_url",
    )
    assert {(row[0], row[1] or None, row[4]) for row in unresolved} == {
        (url("anne-whitworth/"), None, "unresolved_blank"),
        (url("narjit-gill" + PFD), "Coventry and Warwickshire", "unresolved_joint_name"),
        (url("james-furlong-joseph-ritchie-bennett-and-david-wails" + PFD),
         "Central Criminal Court", "unresolved_no_known_area"),
        (url("mcmahon-2013-0271/"), "London", "unresolved_partial_name"),
    }  # fmt: skip
    assert all(row[3] is not None for row in unresolved)


def test_a_blank_area_line_takes_the_one_area_of_the_coroners_reports_that_year(areas_warehouse):
    assert resolution(areas_warehouse, "margaret-spencer-2/") == (
        "The Black Country Jurisdiction", "coroner_other_reports", "medium"
    )  # fmt: skip


def test_a_partial_name_is_narrowed_by_the_coroners_reports(areas_warehouse):
    assert resolution(areas_warehouse, "leslie-clewarth/") == (
        "Yorkshire West Eastern", "partial_name_and_coroner_other_reports", "medium"
    )  # fmt: skip


def test_a_bare_london_is_not_the_city_of_london(areas_warehouse):
    # the token key drops "city", so "London" used to land on London City; it names eight areas,
    # and Andrew Walker's other reports within a year name London North and London Inner South
    area, method, _ = resolution(areas_warehouse, "mcmahon-2013-0271/")
    assert (area, method) == (None, "unresolved_partial_name")
    candidates = query(
        areas_warehouse,
        "select candidate_current_areas from intermediate.int_report_coroner_areas"
        " where report_url = ?",
        [url("mcmahon-2013-0271/")],
    )[0][0]
    assert "London City" in candidates and "London North" in candidates


def test_an_area_glued_to_another_header_field_is_the_pages_own_word(areas_warehouse):
    assert resolution(areas_warehouse, "hollie-richardson" + PFD) == (
        "Bedfordshire and Luton", "area_glued_to_other_field", "high"
    )  # fmt: skip
    assert resolution(areas_warehouse, "roadsafety/") == (
        "Warwickshire", "area_glued_to_other_field", "high"
    )  # fmt: skip


def test_a_joint_name_is_never_narrowed_to_one_area(areas_warehouse):
    rows = query(
        areas_warehouse,
        "select current_coroner_area, candidate_current_areas, coroner_society_areas"
        " from intermediate.int_report_coroner_areas where report_url = ?",
        [url("narjit-gill" + PFD)],
    )
    # the Society list places Deborah Lakin in Warwickshire; the page names both areas
    assert rows == [(None, ["Coventry", "Warwickshire"], ["Warwickshire"])]


def test_a_page_area_no_evidence_ties_to_its_coroner_is_a_finding(areas_warehouse):
    findings = query(
        areas_warehouse,
        "select report_url, current_coroner_area, coroner_society_areas, reason,"
        " evidence_strength from main.audit_area_coroner_disagreements order by report_url",
    )
    assert findings == [
        (url("abiola-dosunmu/"), "London Inner South", ["London North"], "not_in_society_list",
         "strong"),
    ]  # fmt: skip
    # the finding corrects nothing: the report keeps the area its page states
    assert resolution(areas_warehouse, "abiola-dosunmu/")[:2] == ("London Inner South", "area_line")


def test_a_coroner_with_two_areas_is_no_finding(areas_warehouse):
    # Sean Cummings: Milton Keynes in the Society list, Bedfordshire and Luton on other pages
    rows = query(
        areas_warehouse,
        "select count(*) from main.audit_area_coroner_disagreements where coroner_key = ?",
        ["sean-cummings"],
    )
    assert rows == [(0,)]


def test_dim_coroners_counts_inferred_areas_and_matches_the_society_list(areas_warehouse):
    rows = query(
        areas_warehouse,
        "select main_coroner_area, report_count, society_title from main.dim_coroners"
        " where coroner_key = 'zafar-siddique'",
    )
    assert rows == [("The Black Country Jurisdiction", 3, "Senior Coroner")]
