"""Every registered suite: a good frame passes, a bad frame fails with the expected expectation
named, and the failing organisation / area / field is in the result."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from expectations.config import AuditConfig
from expectations.registry import SUITES, suite
from expectations.runner import AuditRunner, run_suite
from expectations.suites.returns import prepare_frame


def failed(outcome) -> dict[tuple[str, str | None], list[str]]:
    return {(e.expectation, e.column): e.failing_entities for e in outcome.failed_expectations}


# --- raw crawl ----------------------------------------------------------------------------------


def raw_frame(rows: int = 20) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "report_url": [
                f"https://www.judiciary.uk/prevention-of-future-death-reports/r{i}/"
                for i in range(rows)
            ],  # fmt: skip
            "date_added_raw": ["2024-06-03"] * rows,
            "date_of_report_raw": ["30/05/2024", "26 May 2022", "01/07/22", "08 /03/2024"]
            * (rows // 4),
            "ref_raw": [f"2024-{i:04d}" for i in range(1, rows + 1)],
            "deceased_name_raw": ["Katie Madden"] * rows,
            "coroner_name_raw": ["Nigel Parsley"] * rows,
            "coroner_area_raw": ["Suffolk"] * rows,
            "sent_to_raw": ["Suffolk County Council"] * rows,
        }
    )


FULL_CRAWL = {"latest_mode": "full", "previous_full_reports": 20}
FIRST_CRAWL = {"latest_mode": "full", "previous_full_reports": None}


def test_raw_crawl_good_frame_passes():
    outcome = run_suite(suite("raw_crawl"), raw_frame(), facts=FULL_CRAWL)
    assert outcome.success, failed(outcome)
    assert outcome.severity is None


def test_raw_crawl_fails_when_a_layout_change_empties_a_field():
    frame = raw_frame()
    frame.loc[3:, "coroner_area_raw"] = None  # 85% missing
    outcome = run_suite(suite("raw_crawl"), frame, facts=FULL_CRAWL)
    assert not outcome.success
    assert outcome.severity == "error"
    assert failed(outcome) == {
        ("expect_column_values_to_not_be_null", "coroner_area_raw"): ["coroner_area_raw"]
    }


def test_raw_crawl_judges_recipients_only_on_pages_published_since_2016():
    frame = raw_frame()
    frame["sent_to_raw"] = None
    frame.loc[:9, "date_added_raw"] = "2014-02-01"  # recipients were only in the PDF then
    frame.loc[10:, "sent_to_raw"] = "Suffolk County Council"
    assert run_suite(suite("raw_crawl"), frame, facts=FULL_CRAWL).success
    frame.loc[15:, "sent_to_raw"] = None  # half the recent pages lost their recipients
    outcome = run_suite(suite("raw_crawl"), frame, facts=FULL_CRAWL)
    assert failed(outcome) == {
        ("expect_column_values_to_not_be_null", "sent_to_raw"): ["sent_to_raw"]
    }


def test_raw_crawl_fails_on_bad_date_and_ref_formats():
    frame = raw_frame()
    frame.loc[:5, "date_of_report_raw"] = "Ref: 2024-0001 Deceased name: glued header"
    frame.loc[:5, "ref_raw"] = "see report"
    outcome = run_suite(suite("raw_crawl"), frame, facts=FULL_CRAWL)
    assert set(failed(outcome)) == {
        ("expect_column_values_to_match_regex", "date_of_report_raw"),
        ("expect_column_values_to_match_regex", "ref_raw"),
    }


def test_raw_crawl_fails_when_pages_drop_sharply_against_the_previous_full_crawl():
    outcome = run_suite(
        suite("raw_crawl"),
        raw_frame(20),
        facts={"latest_mode": "full", "previous_full_reports": 40},
    )
    assert failed(outcome) == {("expect_table_row_count_to_be_between", None): ["latest crawl"]}
    assert outcome.severity == "error"


def test_raw_crawl_row_drop_is_not_judged_on_an_incremental_crawl():
    outcome = run_suite(
        suite("raw_crawl"),
        raw_frame(4),
        facts={"latest_mode": "incremental", "previous_full_reports": 40},  # fmt: skip
    )
    assert outcome.success, failed(outcome)


def test_raw_crawl_leaves_the_page_key_to_the_dbt_source_tests():
    # report_url not null and unique are dbt source tests on the whole table (CHECKS.md): the
    # raw suite judges the header fields, not the key again.
    expectations = suite("raw_crawl").build_expectations(raw_frame(), FULL_CRAWL, AuditConfig())
    assert all(getattr(e, "column", None) != "report_url" for e in expectations)
    frame = raw_frame()
    frame.loc[1, "report_url"] = frame.loc[0, "report_url"]
    assert run_suite(suite("raw_crawl"), frame, facts=FULL_CRAWL).success


def test_an_incremental_crawl_that_saw_nothing_new_is_a_quiet_day_not_a_broken_crawl():
    quiet = raw_frame(4).iloc[0:0]
    outcome = run_suite(suite("raw_crawl"), quiet, facts={"latest_mode": "incremental"})
    assert outcome.success, failed(outcome)
    # A full crawl that sees nothing is broken.
    outcome = run_suite(suite("raw_crawl"), quiet, facts={"latest_mode": "full"})
    assert ("expect_table_row_count_to_be_between", None) in failed(outcome)


def crawl_frame(loaded: int, errors: int = 0, lost_listing_pages: int = 0) -> pd.DataFrame:
    """A raw crawl frame as load_frame builds it: loaded pages, then pages not loaded."""
    frame = raw_frame(loaded).astype(object)  # as read from DuckDB: text columns
    frame["crawl_outcome"] = "loaded"
    origin = "https://www.judiciary.uk/prevention-of-future-death-reports"
    rows = [(f"{origin}/failed{i}/", "error") for i in range(errors)]
    rows += [(f"{origin}/page/{i + 2}/", "listing page lost") for i in range(lost_listing_pages)]
    extra = pd.DataFrame(rows, columns=["report_url", "crawl_outcome"], dtype=object)
    return pd.concat([frame, extra], ignore_index=True)


def test_raw_crawl_passes_a_crawl_with_errors_within_the_allowance():
    # 2 errors of 42 pages tried: under the tolerated count and share.
    outcome = run_suite(suite("raw_crawl"), crawl_frame(40, errors=2), facts=FIRST_CRAWL)
    assert outcome.success, failed(outcome)


def test_raw_crawl_blocks_a_first_crawl_that_lost_a_third_of_its_pages():
    outcome = run_suite(suite("raw_crawl"), crawl_frame(40, errors=20), facts=FIRST_CRAWL)
    assert outcome.severity == "error"
    failures = failed(outcome)
    # The failing rows name the pages that were not loaded, and only those.
    not_loaded = failures[("expect_column_values_to_be_in_set", "crawl_outcome")]
    assert len(not_loaded) == 20 and all("/failed" in url for url in not_loaded)
    # The header-field shares are judged on the loaded pages only, so nothing else fails.
    assert set(failures) == {("expect_column_values_to_be_in_set", "crawl_outcome")}


def test_raw_crawl_blocks_a_crawl_that_lost_a_listing_page():
    outcome = run_suite(
        suite("raw_crawl"), crawl_frame(40, lost_listing_pages=1), facts=FIRST_CRAWL
    )
    assert failed(outcome) == {
        ("expect_column_values_to_not_be_in_set", "crawl_outcome"): [
            "https://www.judiciary.uk/prevention-of-future-death-reports/page/2/"
        ]
    }


def test_raw_crawl_error_allowance_is_the_larger_of_share_and_count():
    from expectations.suites.judiciary_pfd import allowed_errors

    config = AuditConfig()
    assert allowed_errors(30, config) == config.crawl_errors_tolerated == 2
    assert allowed_errors(1000, config) == 50
    strict = AuditConfig.from_mapping({"max_crawl_error_share": 0.0, "crawl_errors_tolerated": 0})
    outcome = run_suite(suite("raw_crawl"), crawl_frame(40, errors=1), strict, facts=FIRST_CRAWL)
    assert not outcome.success


def test_an_incremental_crawl_whose_every_page_failed_is_judged_not_skipped():
    # Only error rows: the frame is not empty, so the quiet-day rule does not apply, and the
    # row-count rule counts loaded pages (0 may be fine on a quiet day; the errors are not).
    frame = crawl_frame(0, errors=5)
    outcome = run_suite(suite("raw_crawl"), frame, facts={"latest_mode": "incremental"})
    assert set(failed(outcome)) == {("expect_column_values_to_be_in_set", "crawl_outcome")}


# --- reconciliation -----------------------------------------------------------------------------


def reconciliation_frame(rows: list[tuple]) -> pd.DataFrame:
    columns = [
        "return_row_id", "name_as_written", "resolved_name", "is_resolved", "period_start",
        "period_end", "reported_count", "published_count", "difference", "direction",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return prepare_frame(frame)


AGREEING = [
    ("r1", "Org A", "Org A", True, "2023-01-01", "2023-12-31", 3, 3, 0, "agrees"),
    ("r2", "Org B", "Org B", True, "2023-01-01", "2023-12-31", 0, 0, 0, "agrees"),
    ("r3", "GLA", "Greater London Authority", True, "2013-07-01", "2024-06-30", None, 5, None,
     "no count: refused"),
]  # fmt: skip


def test_reconciliation_good_frame_passes():
    outcome = run_suite(suite("returns_reconciliation"), reconciliation_frame(AGREEING))
    assert outcome.success, failed(outcome)


def test_reconciliation_each_body_beyond_tolerance_fails_its_own_expectation():
    rows = [
        ("r1", "Org A", "Org A", True, "2023-01-01", "2023-12-31", 3, 1, 2,
         "reported but not published"),
        ("r2", 'St John\'s "Trust" == 1 or True', 'St John\'s "Trust" == 1 or True', True,
         "2023-01-01", "2023-12-31", 0, 2, -2, "published but not reported"),
        ("r4", "Org C", "Org C", True, "2023-01-01", "2023-12-31", 5, 5, 0, "agrees"),
        AGREEING[2],
    ]  # fmt: skip
    outcome = run_suite(suite("returns_reconciliation"), reconciliation_frame(rows))
    assert outcome.severity == "warning"  # a finding about the world, not broken data
    # names are compared as values, so quotes and operators in a name select only that body
    assert outcome.failing_entities == ["Org A", 'St John\'s "Trust" == 1 or True']
    failures = outcome.failed_expectations
    assert [e.expectation for e in failures] == ["expect_column_values_to_be_between"] * 2
    offending = {row["return_row_id"] for e in failures for row in e.unexpected_rows}
    assert offending == {"r1", "r2"}
    # the refusal has no count, so it is not judged as a difference
    assert all("Greater London Authority" not in e.failing_entities for e in failures)


def test_reconciliation_tolerance_is_configuration():
    rows = [("r1", "Org A", "Org A", True, "2023-01-01", "2023-12-31", 3, 2, 1,
             "reported but not published")]  # fmt: skip
    frame = reconciliation_frame(rows)
    assert not run_suite(suite("returns_reconciliation"), frame).success
    lenient = AuditConfig(reconciliation_tolerance=1)
    assert run_suite(suite("returns_reconciliation"), frame, lenient).success


def test_reconciliation_unresolved_name_is_an_error():
    rows = [("r9", "Nobody Known", None, False, "2023-01-01", "2023-12-31", 4, None, None,
             "unresolved name")]  # fmt: skip
    outcome = run_suite(suite("returns_reconciliation"), reconciliation_frame(rows))
    assert outcome.severity == "error"
    assert failed(outcome) == {
        ("expect_column_values_to_be_in_set", "is_resolved"): ["Nobody Known"]
    }


# --- coroner-area completeness ------------------------------------------------------------------


def completeness_frame(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "coroner_area": ["Avon", "Norfolk", "Suffolk"],
            "reports_in_window": [15, 20, 30],
            "p95_publication_lag_days": [12.0, 40.0, 70.0],
            "share_missing_header_fields": [0.0, 0.01, 0.0],
            "share_all_responses_published": [0.33, 0.5, 0.25],
            "days_since_last_publication": [98.0, 3.0, 40.0],
        }
    )
    for column, (area, value) in overrides.items():
        frame.loc[frame["coroner_area"] == area, column] = value
    return frame


def test_completeness_good_frame_passes():
    outcome = run_suite(suite("coroner_area_completeness"), completeness_frame())
    assert outcome.success, failed(outcome)


def completeness_mart(con) -> None:
    """A ``main.audit_publication_completeness`` shaped as dbt builds it: one row per area and
    report year, each carrying the area's window measures (the same on every row of the area),
    and one row with no report year for an area that never published."""
    con.execute("CREATE SCHEMA IF NOT EXISTS main")
    con.execute(
        """
        CREATE TABLE main.audit_publication_completeness AS
        SELECT * FROM (VALUES
            ('norfolk', 'Norfolk', 2023, 5, 0, 2024, 2025, 20, 40.0, 0.01, 0.5,
             DATE '2025-06-27', DATE '2025-06-30', 3, DATE '2025-07-01'),
            ('norfolk', 'Norfolk', 2024, 9, 0, 2024, 2025, 20, 40.0, 0.01, 0.5,
             DATE '2025-06-27', DATE '2025-06-30', 3, DATE '2025-07-01'),
            ('norfolk', 'Norfolk', 2025, 11, 0, 2024, 2025, 20, 40.0, 0.01, 0.5,
             DATE '2025-06-27', DATE '2025-06-30', 3, DATE '2025-07-01'),
            ('suffolk', 'Suffolk', 2025, 30, 4, 2024, 2025, 30, 200.0, 0.0, 0.25,
             DATE '2025-06-30', DATE '2025-06-30', 0, DATE '2025-07-01'),
            ('avon', 'Avon', NULL, 0, 0, 2024, 2025, 0, NULL, NULL, NULL,
             NULL, DATE '2025-06-30', 4358, DATE '2025-07-01')
        ) AS t(current_coroner_area_key, current_coroner_area, report_year, reports_published,
               reports_overdue, window_first_year, window_last_year, window_reports_published,
               window_p95_publication_lag_days, window_share_missing_header_fields,
               window_share_all_responses_published, last_published_date,
               newest_published_date, days_since_last_publication, as_of_date)
        """
    )


def test_completeness_reads_one_row_per_area_from_the_mart_dbt_built():
    # The window measures are dbt's: the suite reads them (one row per area) and judges them.
    with duckdb.connect() as con:
        completeness_mart(con)
        frame, facts = suite("coroner_area_completeness").load_frame(con, AuditConfig())
    assert frame["coroner_area"].tolist() == ["Avon", "Norfolk", "Suffolk"]
    norfolk = frame.set_index("coroner_area").loc["Norfolk"]
    assert (norfolk["reports_in_window"], norfolk["p95_publication_lag_days"]) == (20, 40.0)
    assert norfolk["days_since_last_publication"] == 3.0
    assert (facts["areas"], facts["window_first_year"]) == (3, 2024)
    assert facts["newest_publication"] == "2025-06-30"
    assert [r["coroner_area"] for r in facts["area_rows"]] == ["Avon", "Norfolk", "Suffolk"]
    outcome = run_suite(suite("coroner_area_completeness"), frame, facts=facts)
    assert failed(outcome) == {
        ("expect_column_values_to_be_between", "days_since_last_publication"): ["Avon"],
        ("expect_column_values_to_be_between", "p95_publication_lag_days"): ["Suffolk"],
    }
    assert outcome.table == "main.audit_publication_completeness"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("p95_publication_lag_days", 200.0),
        ("share_missing_header_fields", 0.3),
        ("share_all_responses_published", 0.05),
        ("days_since_last_publication", 400.0),
    ],
)
def test_completeness_names_the_area_beyond_each_threshold(column, value):
    frame = completeness_frame(**{column: ("Norfolk", value)})
    outcome = run_suite(suite("coroner_area_completeness"), frame)
    assert outcome.severity == "warning"
    assert failed(outcome) == {("expect_column_values_to_be_between", column): ["Norfolk"]}


# --- ref sequence gaps --------------------------------------------------------------------------


def gaps_frame(gaps_2024: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ref_year": [2023, 2024],
            "highest_sequence_seen": [552, 691],
            "refs_published": [552, 691 - gaps_2024],
            "gaps_in_year": [0, gaps_2024],
            "missing_refs": [None, "2024-0010, 2024-0011" if gaps_2024 else None],
        }
    )


def test_ref_gaps_reads_the_contiguous_era_years_dbt_built():
    with duckdb.connect() as con:
        con.execute(
            """
            CREATE TABLE main.audit_ref_sequence_years AS
            SELECT * FROM (VALUES
                (2018, 381, 336, 45, '2018-0001', false),
                (2023, 552, 552, 0, NULL, true),
                (2024, 691, 689, 2, '2024-0010, 2024-0011', true)
            ) AS t(ref_year, highest_sequence_seen, refs_published, gaps_in_year, missing_refs,
                   is_contiguous_era)
            """
        )
        frame, facts = suite("ref_sequence_gaps").load_frame(con, AuditConfig())
    pd.testing.assert_frame_equal(frame, gaps_frame(2), check_dtype=False)
    assert facts == {"missing_refs_total": 2}
    outcome = run_suite(suite("ref_sequence_gaps"), frame, facts=facts)
    assert failed(outcome) == {("expect_column_values_to_be_between", "gaps_in_year"): ["2024"]}


def test_ref_gaps_good_frame_passes():
    assert run_suite(suite("ref_sequence_gaps"), gaps_frame(0)).success


def test_ref_gaps_fail_naming_the_year_and_its_missing_refs():
    outcome = run_suite(suite("ref_sequence_gaps"), gaps_frame(2))
    assert failed(outcome) == {("expect_column_values_to_be_between", "gaps_in_year"): ["2024"]}
    assert outcome.failed_expectations[0].unexpected_rows[0]["missing_refs"] == (
        "2024-0010, 2024-0011"
    )
    assert outcome.severity == "warning"


# --- registry and runner ------------------------------------------------------------------------


def test_registry_names_are_unique_and_every_suite_builds_on_an_empty_frame():
    assert len({s.name for s in SUITES}) == len(SUITES)
    for spec in SUITES:
        assert spec.build_expectations(pd.DataFrame(), {}, AuditConfig()) is not None


def test_unknown_threshold_is_refused_by_name():
    with pytest.raises(ValueError, match="max_lag"):
        AuditConfig.from_mapping({"max_lag": 3})
    config = AuditConfig.from_mapping({"min_share_present": {"sent_to_raw": 0.1}})
    assert config.min_share_present["sent_to_raw"] == 0.1
    assert config.min_share_present["date_added_raw"] == 0.99


@pytest.mark.parametrize("name", ["completeness_window_years", "ref_gaps_since_year"])
def test_a_setting_that_defines_a_fact_is_a_dbt_var_not_a_threshold(name):
    with pytest.raises(ValueError, match=f"dbt var {name}"):
        AuditConfig.from_mapping({name: 5})


def test_data_docs_use_only_local_styles_and_scripts(tmp_path):
    from expectations.data_docs import remote_references

    runner = AuditRunner(tmp_path / "docs")
    runner.validate(suite("ref_sequence_gaps"), gaps_frame(1))
    index = runner.build_docs()
    assert index.is_file()
    assert remote_references(tmp_path / "docs") == []
    assert (tmp_path / "docs" / "static" / "vendor" / "bootstrap.min.css").is_file()
    assert "static/vendor/bootstrap.min.css" in index.read_text(encoding="utf-8")
