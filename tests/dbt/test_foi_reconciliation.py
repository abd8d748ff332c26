"""FOI campaign end to end: the invented answers in tests/fixtures/returns/foi/ (built from real
published reports, see its README) loaded by the returns loader into a copy of the sample build,
with the real rows of those reports added to the raw crawl tables, then one dbt build of the
returns models and what they read. Checks every finding kind, the misspelt name matched by date,
a line matching nothing, the refusal (an outcome, never a zero), the late request and the
corrected file that supersedes."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.sources.returns import foi_dates
from orchestration.sources.returns import load as returns
from orchestration.warehouse.dbt_cli import run_dbt
from tests.dbt.sample_warehouse import build_raw_warehouse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "returns" / "foi"
AS_OF = "2024-12-08"
BSMHFT, PENNINE, ELFT, NOTTS = "ods:RXT", "ods:RT2", "ods:RWK", "ods:RHA"
# The returns models (and their tests) plus every model they read: the published reports added
# to the raw tables must reach fct_report_recipients. Tests of other models are not run (the
# sample's other marts are not rebuilt here).
SELECT = [
    "+path:models/marts/audit/returns,resource_type:model",
    "path:models/staging/returns",
    "path:models/intermediate/returns",
    "path:models/marts/audit/returns",
]


@pytest.fixture(scope="module")
def campaign(sample_warehouse, tmp_path_factory):
    work = tmp_path_factory.mktemp("foi_campaign")
    warehouse = work / "pfd.duckdb"
    shutil.copyfile(sample_warehouse, warehouse)
    build_raw_warehouse(warehouse, FIXTURES / "published_reports.csv")  # adds the 13 reports
    loaded = [
        returns.load_returns_file(
            FIXTURES / name, warehouse, work / "data", today=date(2024, 12, 8)
        )
        for name in (
            "foi_requests_2024.csv",
            "bsmhft_2023_pack.csv",
            "first/pennine_care_2023.csv",
            "corrected/pennine_care_2023.csv",
        )
    ]
    completed = run_dbt(
        ["build", "--select", *SELECT, "--indirect-selection", "empty"],
        warehouse,
        work,
        dbt_vars=f"{{as_of: '{AS_OF}'}}",
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    return warehouse, loaded


def query(warehouse: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


def findings(warehouse: Path, organisation_key: str) -> dict[str, tuple]:
    rows = query(
        warehouse,
        "select coalesce(ref, 'line ' || row_number), finding, match_method, match_confidence,"
        " answer from main.audit_foi_report_reconciliation where organisation_key = ?",
        [organisation_key],
    )
    return {row[0]: row[1:] for row in rows}


def test_a_filled_pack_gives_every_finding_kind(campaign):
    warehouse, _ = campaign
    assert findings(warehouse, BSMHFT) == {
        "2023-0013": ("matched", "ref", "high", "received"),
        "2023-0423": ("matched", "ref", "high", "received"),
        "2023-0094": ("published_not_located", "ref", "high", "not located"),
        "2023-0241": ("copy_only", "ref", "high", "received as copy"),
        "2023-0244": ("matched", "ref", "high", "received"),
        "2023-0360": ("published_not_located", "ref", "high", "not located"),
        # misspelt name ("Leya Adriss"), no ref: matched by date of report and surname
        "2023-0433": ("matched", "date_and_name", "medium", "received"),
        "2023-0469": ("matched", "ref", "high", "received"),
        # received by email, on no published page: matches nothing, stays as it is
        "line 10": ("received_not_published", None, None, "received"),
    }


def test_an_own_list_omitting_reports_and_its_corrected_version(campaign):
    warehouse, loaded = campaign
    first, corrected = loaded[2], loaded[3]
    assert corrected.superseded == (first.file_sha256,)
    assert findings(warehouse, PENNINE) == {
        # "2023/155" said "not located" in the first version; the corrected one says received
        "2023-0155": ("matched", "ref", "high", "received"),
        "2023-0157": ("matched", "date_and_initials", "medium", "received"),
        "2023-0266": ("matched", "date_only_unique", "low", "received"),  # only in the correction
        "2023-0470": ("published_not_located", None, None, None),  # not on the body's list
        "2023-0493": ("published_not_located", None, None, None),
    }
    used = query(warehouse, "select distinct file_sha256 from main.audit_foi_report_reconciliation")
    assert (first.file_sha256,) not in used


def test_requests_refusal_and_lateness_as_of(campaign):
    warehouse, _ = campaign
    requests = {
        row[0]: row[1:]
        for row in query(
            warehouse,
            "select organisation_key, status, cites_website, is_answered, is_late,"
            " working_days_late, statutory_due_date from main.fct_foi_requests",
        )
    }
    due = foi_dates.statutory_due_date(date(2024, 2, 5))
    late = foi_dates.working_days_late(due, date.fromisoformat(AS_OF))
    assert requests == {
        BSMHFT: ("answered", False, True, False, None, due),
        PENNINE: ("partially answered", False, True, False, None, due),
        ELFT: ("refused", True, True, False, None, due),
        NOTTS: ("sent", False, False, True, late, due),
    }


def test_the_campaign_view_keeps_a_refusal_an_outcome_never_a_zero(campaign):
    warehouse, _ = campaign
    campaign_rows = {
        row[0]: row[1:]
        for row in query(
            warehouse,
            "select organisation_key, answered, refused, refused_citing_website, late,"
            " answer_matches_exactly, reports_missing_from_site, reports_not_located, copy_only"
            " from main.audit_foi_campaign",
        )
    }
    assert campaign_rows == {
        BSMHFT: (True, False, False, False, False, 1, 2, 1),
        PENNINE: (True, False, False, False, False, 0, 2, 0),
        ELFT: (False, True, True, False, False, None, None, None),
        NOTTS: (False, False, False, True, False, None, None, None),
    }


def test_no_name_of_the_deceased_reaches_a_mart(campaign):
    warehouse, _ = campaign
    columns = query(
        warehouse,
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'main' and table_name like '%foi%'",
    )
    assert {table for table, _ in columns} == {
        "fct_foi_requests",
        "audit_foi_report_reconciliation",
        "audit_foi_campaign",
    }
    assert not [c for c in columns if "deceased" in c[1] or "initials" in c[1]]
    text = " ".join(
        str(value)
        for row in query(warehouse, "select * from main.audit_foi_report_reconciliation")
        for value in row
    )
    # names as the answers wrote them (report URLs are judiciary.uk's own addresses)
    assert "Adriss" not in text and "R.T." not in text
