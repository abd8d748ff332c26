"""Every command that writes the warehouse goes through the one-writer path: `pfdw collect` and
`pfdw audit run --returns` load into a working copy under the writer lock and publish it only
when they succeed (refused in one line, exit 75, while another run writes); a returns file with
an unsafe name or over the size limit is refused before it is hashed or copied whole."""

from __future__ import annotations

import dataclasses

import pytest

from orchestration.warehouse import publish, writer_lock
from tests.reliability.test_writer import WRITER, make_warehouse, python, records, wait_until


@pytest.mark.parametrize(
    "argv",
    [["collect", "--spider", "judiciary_pfd"], ["audit", "run", "--returns", "a.csv"]],
    ids=["collect", "audit-returns"],
)
def test_writing_commands_are_refused_in_one_line_while_a_run_writes(tmp_path, capsys, argv):
    from orchestration import cli

    published = tmp_path / "pfd.duckdb"
    make_warehouse(published, "pipeline")
    running = python(WRITER, str(published), "pipeline-run", "0")
    assert wait_until(lambda: writer_lock.read_holder(published) is not None)
    status = cli.main([*argv, "--warehouse", str(published), "--data-dir", str(tmp_path)])
    running.communicate(timeout=60)
    assert status == writer_lock.EXIT_WRITER_BUSY
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "being written by run pipeline-run" in error
    assert records(published) == ["pipeline", "pipeline-run"]  # the holder's work only


def test_collect_loads_into_a_working_copy_and_publishes_only_on_success(tmp_path, monkeypatch):
    from orchestration import cli
    from orchestration.sources import collect

    published = tmp_path / "pfd.duckdb"
    make_warehouse(published, "before")
    outcomes = iter([0, 1])

    def fake_collect(args, warehouse, runs_root):
        assert warehouse != published  # never the published file
        assert writer_lock.read_holder(published)["job"] == "pfdw collect"
        status = next(outcomes)
        make_warehouse(warehouse, f"collect exit {status}")
        return status

    monkeypatch.setattr(collect, "collect", fake_collect)
    argv = ["collect", "--warehouse", str(published), "--data-dir", str(tmp_path)]
    assert cli.main(argv) == 0
    assert records(published) == ["before", "collect exit 0"]
    assert cli.main(argv) == 1  # a failed collect leaves the published warehouse as it was
    assert records(published) == ["before", "collect exit 0"]
    assert publish.leftover_files(published) == []


def test_a_returns_file_with_a_newline_in_its_name_is_quarantined_under_a_safe_name(tmp_path):
    from orchestration.sources.returns.load import ReturnsFileError, load_returns_file

    bad = tmp_path / "inbox" / "answer\n=cmd.csv"
    bad.parent.mkdir()
    bad.write_text("organisation_name\n", encoding="utf-8")
    with pytest.raises(ReturnsFileError) as refused:
        load_returns_file(bad, tmp_path / "pfd.duckdb", tmp_path / "data")
    assert "answer\n=cmd" not in str(refused.value)  # the raw name never printed
    assert "answer\\n=cmd.csv" in str(refused.value)
    kept = refused.value.quarantined_to
    assert kept.name.endswith("__answer__cmd.csv") and kept.exists()
    reason = kept.with_name(kept.name + ".reason.txt").read_text(encoding="utf-8")
    assert "file: answer\\n=cmd.csv" in reason


def test_an_oversized_returns_file_is_refused_before_hashing_and_not_copied(tmp_path, monkeypatch):
    from orchestration.sources.returns import load

    monkeypatch.setattr(load, "LIMITS", dataclasses.replace(load.LIMITS, max_file_bytes=100))
    monkeypatch.setattr(load, "file_sha256", lambda path: pytest.fail("hashed a refused file"))
    big = tmp_path / "answer.csv"
    big.write_text("organisation_name\n" + "x" * 500 + "\n", encoding="utf-8")
    with pytest.raises(load.ReturnsFileError, match="the limit is 100 bytes") as refused:
        load.load_returns_file(big, tmp_path / "pfd.duckdb", tmp_path / "data")
    kept = refused.value.quarantined_to
    assert not kept.exists()  # only the reason is kept
    assert kept.with_name(kept.name + ".reason.txt").exists()
    assert big.exists()
