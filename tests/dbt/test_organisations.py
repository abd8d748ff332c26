"""Today's organisations: merged and renamed bodies roll up to the body that answers for them now,
written variants of a trust's name resolve to the ODS trust, fragments stay unresolved and untyped,
and responses match recipients by their current body.

One small warehouse of made-up report pages naming real organisations (the seeds are the real
reference lists), built with the models up to dim_organisations and int_responses_matched.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration.bench.quality_organisations import organisation_figures
from orchestration.warehouse.dbt_cli import run_dbt
from tests.dbt.sample_warehouse import build_raw_warehouse

pytestmark = pytest.mark.slow

BASE = "https://www.judiciary.uk/prevention-of-future-death-reports/"
UPLOADS = "https://www.judiciary.uk/wp-content/uploads/"

# report slug -> (date of report, sent_to as written, response file names)
REPORTS = {
    # Heart of England NHS FT (RR1) was acquired by University Hospitals Birmingham (RRK) in
    # April 2018 (nhs_trust_successors, confidence high)
    "heart-of-england": ("10/01/2016", "Heart of England NHS Foundation Trust", []),
    "uhb": ("10/01/2020", "University Hospitals Birmingham NHS Foundation Trust", []),
    "heart-answered-by-uhb": (
        "12/02/2016",
        "Heart of England NHS Foundation Trust",
        ["2016-0101-Response-from-University-Hospitals-Birmingham-NHS-Foundation-Trust.pdf"],
    ),
    "fragments": ("05/03/2019", "West Ambulance Service Trust | Ambulance Service NHS Trust", []),
    "variants": (
        "07/08/2018",
        "Avon and Wiltshire NHS Mental Health Trust | Pennine Care Mental Health Trust | "
        "Oxleas Mental Health Trust",
        [],
    ),
    "national-highways": (
        "03/05/2022",
        "National Highways",
        ["2022-0101-Response-from-Highways-England.pdf"],
    ),
    "mountaineering": (
        "14/12/2016",
        "British Mountaineering Council; Royal Yachting Association",
        ["2016-0402-Response-by-BMC.pdf"],
    ),
    # RYK: Dudley and Walsall Mental Health Partnership until April 2020 (its services went to
    # Black Country Healthcare, TAJ), then the code of Dudley Integrated Health and Care, closed
    # in 2024 into The Dudley Group (RNA)
    "dudley-2017": ("01/06/2017", "Dudley and Walsall Mental Health Partnership NHS Trust", []),
    "dudley-2022": ("01/06/2022", "Dudley Integrated Health and Care NHS Trust", []),
}

COLUMNS = (
    "report_url,ref,date_of_report,date_added,deceased_name,coroner_name,coroner_area,category,"
    "sent_to,report_pdf_url,response_urls,captured_from,listed_on_2026_02_01"
).split(",")


def url(slug: str) -> str:
    return f"{BASE}{slug}/"


def _rows() -> list[dict[str, str]]:
    rows = []
    for number, (slug, (report_date, sent_to, responses)) in enumerate(REPORTS.items(), 1):
        year = report_date[-4:]
        rows.append(
            {
                "report_url": url(slug),
                "ref": f"{year}-{number:04d}",
                "date_of_report": report_date,
                "date_added": report_date,
                "deceased_name": f"Person {number}",
                "coroner_name": "A Coroner",
                "coroner_area": "Birmingham and Solihull",
                "category": "Other related deaths",
                "sent_to": sent_to,
                "report_pdf_url": f"{UPLOADS}{year}/06/{slug}-report.pdf",
                "response_urls": " | ".join(f"{UPLOADS}{year}/09/{name}" for name in responses),
                "captured_from": "page scrape 2026-02-01",
                "listed_on_2026_02_01": "True",
            }
        )
    return rows


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    work_dir = tmp_path_factory.mktemp("organisations")
    sample = work_dir / "reports.csv"
    with sample.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(_rows())
    path = work_dir / "pfd.duckdb"
    build_raw_warehouse(path, sample)
    dbt_vars = "{as_of: '2026-02-01'}"
    for command in (
        ["seed", "--quiet"],
        ["run", "--quiet", "--select", "+dim_organisations", "+int_responses_matched"],
    ):
        result = run_dbt(command, path, work_dir, dbt_vars=dbt_vars, timeout=600)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return path


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def recipients(warehouse: Path, slug: str) -> list[tuple]:
    return query(
        warehouse,
        "select recipient_name, organisation_key, organisation_type, resolution_method,"
        " current_organisation_key, current_organisation_type, current_organisation_confidence"
        " from intermediate.int_recipients_resolved where report_url = ?"
        " order by recipient_position, organisation_key",
        [url(slug)],
    )


def test_a_merged_trust_and_its_successor_roll_up_to_the_successor(warehouse):
    (heart,) = recipients(warehouse, "heart-of-england")
    (uhb,) = recipients(warehouse, "uhb")
    assert heart[1] == "ods:RR1"  # as named at the time
    assert uhb[1] == "ods:RRK"
    assert heart[4] == uhb[4] == "ods:RRK"  # by current organisation
    assert heart[6] == "high"
    dim = dict(
        (key, (is_current, current_key, steps))
        for key, is_current, current_key, steps in query(
            warehouse,
            "select organisation_key, is_current, current_organisation_key, successor_steps"
            " from main.dim_organisations where organisation_key in ('ods:RR1', 'ods:RRK')",
        )
    )
    assert dim == {"ods:RR1": (False, "ods:RRK", 1), "ods:RRK": (True, "ods:RRK", 0)}


def test_an_unresolvable_fragment_stays_unresolved_and_untyped(warehouse):
    rows = recipients(warehouse, "fragments")
    names = [row[0] for row in rows]
    assert names == ["West Ambulance Service Trust", "Ambulance Service NHS Trust"]
    for _name, key, organisation_type, method, current_key, current_type, _ in rows:
        assert not key.startswith(("ods:", "nb:"))
        assert organisation_type is None and current_type is None
        assert method == "unresolved_nhs_name"
        assert current_key == key
    dim = query(
        warehouse,
        "select listing_source, organisation_type, is_listed from main.dim_organisations"
        " where organisation_key in (?, ?)",
        [rows[0][1], rows[1][1]],
    )
    assert dim == [("unresolved", None, False)] * 2


def test_written_variants_of_a_trust_name_resolve_to_the_ods_trust(warehouse):
    keys = [row[1] for row in recipients(warehouse, "variants")]
    # word order and filler words; "Mental Health Trust" written for an NHS foundation trust
    assert keys == ["ods:RVN", "ods:RT2", "ods:RPG"]


def test_highways_england_answers_a_report_sent_to_national_highways(warehouse):
    rows = query(
        warehouse,
        "select response_organisation_text, organisation_key, match_method"
        " from intermediate.int_responses_matched where report_url = ?",
        [url("national-highways")],
    )
    assert rows == [("Highways England", "nb:national-highways", "exact")]


def test_bmc_answers_a_report_sent_to_the_british_mountaineering_council(warehouse):
    rows = query(
        warehouse,
        "select organisation_key, match_method from intermediate.int_responses_matched"
        " where report_url = ?",
        [url("mountaineering")],
    )
    assert rows == [("nb:british-mountaineering-council", "exact")]


def test_a_response_from_the_successor_answers_a_report_sent_to_its_predecessor(warehouse):
    rows = query(
        warehouse,
        "select organisation_key, match_rule from intermediate.int_responses_matched"
        " where report_url = ?",
        [url("heart-answered-by-uhb")],
    )
    assert rows == [("ods:RR1", "current_body")]  # the recipient as named, found by its body


def test_a_code_that_named_two_bodies_rolls_up_by_the_report_date(warehouse):
    (before_2020,) = recipients(warehouse, "dudley-2017")
    (after_2020,) = recipients(warehouse, "dudley-2022")
    assert before_2020[1] == after_2020[1] == "ods:RYK"
    assert before_2020[4] == "ods:TAJ"  # the mental health trust's services: Black Country
    assert before_2020[5] == "nhs_mental_health_trust"
    assert after_2020[4] == "ods:RNA"  # Dudley Integrated Health and Care: The Dudley Group
    assert after_2020[6] == "low"  # the successor list's own confidence


def test_the_quality_figures_count_trusts_by_current_organisation(warehouse):
    figures = organisation_figures(warehouse)
    trusts = {(t.trust_type, t.country): t.current_organisations for t in figures.trusts}
    # RVN, RT2, RPG and (by its 2017 report) Black Country Healthcare; no ambulance trust from
    # the two fragments
    assert trusts == {("nhs_mental_health_trust", "England"): 4}
    types = {name: (as_named, current) for name, as_named, current in figures.types}
    assert types["nhs_mental_health_trust"] == (3, 4)  # RYK is not typed a mental health trust
    assert types["nhs_acute_trust"] == (2, 2)  # RR1, RRK as named; RRK, RNA (RYK in 2022) today
    assert types["(unresolved)"] == (2, 2)
    assert figures.responses_matched == figures.responses_total == 3
