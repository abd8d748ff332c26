"""The quality command's scoring rule and the scale benchmark's replication (no dbt run needed)."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.bench.dbt_bench import replicate_raw
from orchestration.bench.quality import (
    AreaLabel,
    RecipientLabel,
    build_quality_warehouse,
    read_recipient_labels,
    score_areas,
    score_recipients,
)
from tests.dbt.sample_warehouse import SAMPLE_CSV, build_raw_warehouse


def label(sample_id: str, key: str, piece: str = "x") -> RecipientLabel:
    return RecipientLabel(sample_id, "2020", f"string {sample_id}", piece, key, "")


def test_recipient_score_counts_listed_keys_per_string():
    labels = [
        label("1", "ods:RNS"),
        label("1", "nb:nhs-england"),
        label("2", "unlisted"),
        label("3", "none"),
    ]
    produced = {
        "1": {"ods:RNS": "Northampton General Hospital"},
        # a listed key for a string labelled unlisted is a wrong match
        "2": {"ods:RHM": "Southampton General Hospital"},
    }
    score = score_recipients(labels, produced)
    assert (score.correct, score.produced, score.expected) == (1, 2, 2)
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(0.5)
    assert [miss[2] for miss in score.missed] == ["nb:nhs-england"]
    assert [wrong[2] for wrong in score.wrong] == ["ods:RHM"]


def test_an_organisation_named_twice_in_one_string_counts_once():
    labels = [label("1", "ods:RNS", "Northampton General"), label("1", "ods:RNS", "NGH")]
    score = score_recipients(labels, {"1": {"ods:RNS": "Northampton General"}})
    assert (score.correct, score.produced, score.expected) == (1, 1, 1)


def test_area_score_needs_unresolvable_spellings_left_empty():
    labels = [
        AreaLabel("Mancester (South)", "Greater Manchester South", "Greater Manchester South"),
        AreaLabel("Coventry and Warwickshire", "", ""),
        AreaLabel("Hampshire", "", "Hampshire, Portsmouth and Southampton"),
    ]
    resolved = {
        "Mancester (South)": ("Greater Manchester South", "Greater Manchester South"),
        "Coventry and Warwickshire": ("Coventry", "Coventry"),
        "Hampshire": ("", "Hampshire, Portsmouth and Southampton"),
    }
    score = score_areas(labels, resolved)
    assert (score.current_correct, score.total) == (2, 3)
    assert [miss[0] for miss in score.misses] == ["Coventry and Warwickshire"]


def test_a_bad_expected_key_is_refused_with_its_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(
        "sample_id,report_year,sent_to_raw,recipient_raw,expected_organisation_key\n"
        "1,2020,NHS England,NHS England,nhs-england\n"
    )
    with pytest.raises(ValueError, match=r"labels\.csv:2: expected_organisation_key 'nhs-england'"):
        read_recipient_labels(path)


def test_quality_warehouse_holds_one_report_row_per_string_and_spelling(tmp_path):
    warehouse = tmp_path / "quality.duckdb"
    build_quality_warehouse(
        warehouse,
        [label("1", "ods:RNS"), label("1", "nb:nhs-england"), label("2", "none")],
        [AreaLabel("Avon", "Avon", "Avon")],
    )
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select report_url, date_of_report_raw, sent_to_raw, coroner_area_raw "
            "from raw.judiciary_pfd__reports order by report_url"
        ).fetchall()
    assert rows == [
        ("quality://areas/0", None, None, "Avon"),
        ("quality://recipients/1", "01/07/2020", "string 1", None),
        ("quality://recipients/2", "01/07/2020", "string 2", None),
    ]


def test_replication_gives_every_copy_its_own_urls(tmp_path):
    source = tmp_path / "crawl.duckdb"
    build_raw_warehouse(source, SAMPLE_CSV)
    target = tmp_path / "scaled.duckdb"
    reports = replicate_raw(source, target, copies=3)
    with duckdb.connect(str(source), read_only=True) as connection:
        original_reports, original_documents = connection.execute(
            "select (select count(*) from raw.judiciary_pfd__reports), "
            "(select count(*) from raw.judiciary_pfd__documents)"
        ).fetchone()
    with duckdb.connect(str(target), read_only=True) as connection:
        distinct_reports, documents, orphan_documents, copy_two = connection.execute(
            "select (select count(distinct report_url) from raw.judiciary_pfd__reports), "
            "(select count(distinct document_url) from raw.judiciary_pfd__documents), "
            "(select count(*) from raw.judiciary_pfd__documents where report_url not in "
            "  (select report_url from raw.judiciary_pfd__reports)), "
            "(select count(*) from raw.judiciary_pfd__reports "
            "  where report_url like 'https://www.judiciary.uk/copy-2/%')"
        ).fetchone()
    assert reports == distinct_reports == 3 * original_reports
    assert documents == 3 * original_documents
    assert orphan_documents == 0
    assert copy_two == original_reports


def test_replication_refuses_zero_copies(tmp_path):
    with pytest.raises(ValueError, match="copies must be 1 or more"):
        replicate_raw(tmp_path / "crawl.duckdb", tmp_path / "out.duckdb", copies=0)
