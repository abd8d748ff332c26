"""`pfdw search` end to end through the command line: table, CSV and JSON, the coverage said
every time, and one line with exit 2 for a malformed query or a filter naming nothing."""

import csv
import io
import json

import pytest

from orchestration import cli


def pfdw(capsys, warehouse, *arguments) -> tuple[int, str, str]:
    status = cli.main(["search", *arguments, "--warehouse", str(warehouse)])
    out, err = capsys.readouterr()
    return status, out, err


def test_table_results_and_coverage_on_stderr(capsys, warehouse):
    status, out, err = pfdw(capsys, warehouse, "ligature points", "--limit", "2")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ref", "date", "area", "recipients", "section", "snippet"]
    assert len(lines) == 4 and "2023-0547" in out and "«ligature" in out
    assert err == (
        "3 reports match 'ligature points' (2 shown). 10 of 12 reports had text to search (83%).\n"
    )


def test_csv_and_json_carry_the_coverage(capsys, warehouse):
    status, out, _ = pfdw(capsys, warehouse, "methadone", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and [row["ref"] for row in rows] == ["2024-0070"]
    assert rows[0]["coverage"] == "10 of 12 reports had text to search (83%)"
    assert rows[0]["section"] == "concerns" and rows[0]["report_url"].startswith("https://")
    status, out, _ = pfdw(
        capsys, warehouse, "ligature", "--format", "json", "--section", "circumstances",
        "--org-type", "mental health trust", "--since", "2024-01-01",
    )  # fmt: skip
    document = json.loads(out)
    assert [r["ref"] for r in document["results"]] == ["2024-0672"]
    assert document["coverage"] == {
        "reports_with_text": 10,
        "reports_total": 12,
        "sentence": "10 of 12 reports had text to search (83%)",
    }
    assert document["sections"] == ["circumstances"] and document["matches"] == 1


def test_no_match_says_so_with_the_coverage(capsys, warehouse):
    status, out, err = pfdw(capsys, warehouse, "zanzibarword")
    assert (status, out) == (0, "")
    assert err.startswith("0 reports match 'zanzibarword'. 10 of 12 reports had text to search")


@pytest.mark.parametrize(
    "arguments",
    [
        ['"ligature points'],
        ["ligature AND"],
        ["*"],
        [""],
        ["(ligature"],
        ["ligature", "--area", "Atlantis"],
        ["ligature", "--section", "summary"],
        ["ligature", "--org-type", "spaceship"],
        ["ligature", "--organisation", "Nobody At All"],
    ],
)
def test_a_malformed_query_or_filter_is_one_line_and_exit_2(capsys, warehouse, arguments):
    status, out, err = pfdw(capsys, warehouse, *arguments)
    assert status == 2 and out == ""
    assert err.startswith("pfdw search: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_no_index_yet_says_to_run_make_run(capsys, tmp_path):
    status, _, err = pfdw(capsys, tmp_path / "pfd.duckdb", "ligature")
    assert status == 1 and "make run" in err and err.count("\n") == 1
