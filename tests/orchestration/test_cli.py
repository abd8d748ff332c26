"""``pfdw``: one command with a sub-command for everything a person runs, one set of flag names."""

from __future__ import annotations

import pytest

from orchestration.cli import build_parser, main

SUB_COMMANDS = (
    "run",
    "ui",
    "docs",
    "foi",
    "prepare",
    "collect",
    "audit",
    "returns",
    "sql",
    "export",
    "report",
    "search",
    "snapshot",
    "bench",
    "quality",
)
# Sub-commands whose own parser is pfdw's (the others hand the rest of the line on).
NATIVE = {
    "run": [],
    "ui": [],
    "docs": [],
    "foi": ["pack"],
    "prepare": [],
    "collect": [],
    "audit": [],
    "returns": ["template"],
    "sql": ["SELECT 1"],
    "export": [],
    "report": [],
    "search": ["ligature"],
}


def test_help_lists_every_sub_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("    ")}
    assert set(SUB_COMMANDS) <= listed


@pytest.mark.parametrize("command", sorted(NATIVE))
def test_every_native_sub_command_takes_the_same_location_flags(command, tmp_path):
    argv = [command, "--warehouse", str(tmp_path / "w.duckdb"), "--data-dir", str(tmp_path)]
    if command in ("returns", "foi"):  # options before the sub-command's own are reset by it
        argv = [command, NATIVE[command][0], *argv[1:]]
    else:
        argv += NATIVE[command]
    args = build_parser().parse_args(argv)
    assert args.warehouse == tmp_path / "w.duckdb"
    assert args.data_dir == tmp_path


@pytest.mark.parametrize("command", ["run", "collect", "report"])
def test_dated_sub_commands_take_as_of_or_since(command):
    flag = "--since" if command == "report" else "--as-of"
    args = build_parser().parse_args([command, flag, "2024-01-31"])
    assert str(getattr(args, flag[2:].replace("-", "_"))) == "2024-01-31"


def test_a_bad_date_is_an_argument_error_naming_the_value(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--as-of", "31/01/2024"])
    assert exit_.value.code == 2
    assert "not a date (YYYY-MM-DD): '31/01/2024'" in capsys.readouterr().err


def test_collect_names_the_known_sources_for_an_unknown_one(capsys, tmp_path):
    code = main(["collect", "--spider", "no_such_source", "--data-dir", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "no source 'no_such_source'" in err and "judiciary_pfd" in err


def test_collect_refuses_a_source_that_is_not_crawled(capsys, tmp_path):
    assert main(["collect", "--spider", "returns", "--data-dir", str(tmp_path)]) == 1
    assert "returns is not crawled" in capsys.readouterr().err


def test_crawl_only_needs_a_run_folder(capsys, tmp_path):
    assert main(["collect", "--crawl-only", "--data-dir", str(tmp_path)]) == 2
    assert "--crawl-only needs --run-dir" in capsys.readouterr().err


def test_data_dir_alone_puts_the_warehouse_inside_it(monkeypatch, tmp_path):
    from orchestration.warehouse.settings import WAREHOUSE_ENV, locations

    monkeypatch.delenv(WAREHOUSE_ENV, raising=False)
    assert locations(None, tmp_path) == (tmp_path / "warehouse" / "pfd.duckdb", tmp_path)
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "elsewhere.duckdb"))
    assert locations(None, tmp_path)[0] == tmp_path / "elsewhere.duckdb"
    assert locations(tmp_path / "x.duckdb", None)[0] == tmp_path / "x.duckdb"


def test_snapshot_help_is_the_snapshot_servers(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["snapshot", "serve", "--help"])
    assert exit_.value.code == 0
    assert "--as-of" in capsys.readouterr().out


def test_returns_template_writes_the_csv_and_xlsx_templates(capsys, tmp_path):
    assert main(["returns", "template", "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["returns_template.csv", "returns_template.xlsx"]
    header = (tmp_path / "returns_template.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("organisation_name,organisation_kind,")
    assert str(tmp_path / "returns_template.csv") in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["quality", "--help"], ["bench", "dbt", "--help"], ["snapshot", "fixtures", "--help"]],
)
def test_a_tools_own_options_reach_its_parser(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: pfdw {' '.join(argv[:-1])}")


def test_unknown_options_of_pfdws_own_commands_are_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sql", "SELECT 1", "--no-such-flag"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_a_tools_options_reach_it_in_order_with_their_values(monkeypatch):
    seen = {}

    def fake_quality(argv):
        seen["argv"] = argv
        return 0

    monkeypatch.setattr("orchestration.bench.quality.main", fake_quality)
    argv = ["--skip-samples", "--warehouse", "/tmp/w.duckdb", "--misses", "3"]
    assert main(["quality", *argv]) == 0
    assert seen["argv"] == argv
