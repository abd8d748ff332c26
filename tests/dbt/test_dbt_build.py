"""`dbt build` on real report rows: the marts hold the values the hard parts must get right."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from tests.dbt.sample_warehouse import build_raw_warehouse, run_dbt_build

pytestmark = pytest.mark.slow

AKHONA = "https://www.judiciary.uk/prevention-of-future-death-reports/akhona-moyo-prevention-of-future-deaths-report/"
KATRINA = "https://www.judiciary.uk/prevention-of-future-death-reports/katrina-insleay-prevention-of-future-deaths-report/"
LINDA = "https://www.judiciary.uk/prevention-of-future-death-reports/linda-fury-prevention-of-future-deaths-report/"
ANDREW = "https://www.judiciary.uk/prevention-of-future-death-reports/andrew-dean-prevention-of-future-deaths-report/"
DANIEL = "https://www.judiciary.uk/prevention-of-future-death-reports/daniel-willington/"
GHOSH_WARD = (
    "https://www.judiciary.uk/prevention-of-future-death-reports/"
    "debapriya-ghosh-and-david-ward-prevention-of-future-deaths-report/"
)


def query(warehouse, sql, params=None):
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return connection.execute(sql, params or []).fetchall()
    finally:
        connection.close()


def test_every_sample_report_reaches_fct_reports(sample_warehouse):
    assert query(sample_warehouse, "select count(*) from main.fct_reports") == [(10,)]


def test_northampton_general_hospital_resolves_to_its_own_trust(sample_warehouse):
    rows = query(
        sample_warehouse,
        "select organisation_key from main.fct_report_recipients where report_url = ? "
        "order by first_recipient_position",
        [AKHONA],
    )
    keys = [row[0] for row in rows]
    assert "ods:RNS" in keys
    assert "ods:RHM" not in keys  # University Hospital Southampton: the known wrong match
    assert len(keys) == 3


def test_and_inside_a_trust_name_does_not_split_it(sample_warehouse):
    rows = query(
        sample_warehouse,
        "select recipient_raw from intermediate.int_recipients_resolved where report_url = ? "
        "order by recipient_position",
        [KATRINA],
    )
    assert rows[0][0] == "Herefordshire and Worcestershire Health and Care NHS Trust"
    assert len(rows) == 2


def test_historic_and_variant_area_spellings_resolve_to_current_areas(sample_warehouse):
    rows = dict(
        query(
            sample_warehouse,
            "select report_url, current_coroner_area from main.fct_reports "
            "where report_url in (?, ?)",
            [LINDA, DANIEL],
        )
    )
    assert rows[LINDA] == "Greater Manchester South"
    assert rows[DANIEL] == "Carmarthenshire and Pembrokeshire"


def test_messy_ref_and_date_are_repaired(sample_warehouse):
    rows = dict(
        (url, (ref, str(report_date)))
        for url, ref, report_date in query(
            sample_warehouse,
            "select report_url, ref, report_date from main.fct_reports where report_url in (?, ?)",
            [ANDREW, DANIEL],
        )
    )
    assert rows[DANIEL][0] == "2016-0396"
    assert rows[ANDREW] == ("2023-0178", "2023-06-02")


def test_due_date_and_status_follow_the_as_of_date(sample_warehouse):
    rows = query(
        sample_warehouse,
        "select report_date, due_date, response_status, as_of_date from main.fct_report_recipients "
        "where report_url = ?",
        [AKHONA],
    )
    for report_date, due_date, status, as_of in rows:
        assert (due_date - report_date).days == 56
        assert str(as_of) == "2026-02-01"
        assert status == "pending"  # reported 28/01/2026, nothing published four days later


def test_two_named_deceased_get_stable_pseudonymous_keys(sample_warehouse):
    rows = query(
        sample_warehouse,
        "select deceased_key, person_position from main.dim_deceased where report_url = ? "
        "order by person_position",
        [GHOSH_WARD],
    )
    assert len(rows) == 2
    expected = "dec_" + hashlib.md5(f"pfd-deceased|{GHOSH_WARD}|1".encode()).hexdigest()[:16]
    assert rows[0][0] == expected


def test_an_empty_raw_schema_builds(tmp_path):
    warehouse = tmp_path / "empty.duckdb"
    build_raw_warehouse(warehouse, sample_csv=None)
    result = run_dbt_build(warehouse, tmp_path, as_of="2026-02-01")
    assert result.returncode == 0, result.stdout[-4000:]
    assert query(warehouse, "select count(*) from main.fct_reports") == [(0,)]
    current_areas = "select count(*) from main.dim_coroner_areas where is_current"
    assert query(warehouse, current_areas) == [(77,)]
