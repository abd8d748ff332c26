"""The `pfdw snapshot serve` command line: option validation and a real serve/stop cycle."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scrapers.snapshot.server import build_parser, config_from_args, main

from .conftest import fetch

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--as-of", "2024-13-01"], "--as-of: '2024-13-01' is not a date in YYYY-MM-DD"),
        (["serve", "--as-of", "yesterday"], "'yesterday' is not a date in YYYY-MM-DD form"),
        (["serve", "--error-rate", "1.5"], "--error-rate: '1.5' is not a share between 0 and 1"),
        (["serve", "--truncate-rate", "-0.1"], "--truncate-rate: '-0.1' is not a share"),
        (["serve", "--timeout-rate", "lots"], "--timeout-rate: 'lots' is not a number"),
        (["serve", "--slow-seconds", "-2"], "--slow-seconds: '-2' is negative"),
        (["serve", "--layout", "2019"], "--layout: invalid choice: '2019'"),
        (["serve", "--port", "70000"], "--port: '70000' is not a port number"),
        (["serve", "--seed", "abc"], "--seed: invalid int value: 'abc'"),
        (
            ["serve", "--error-rate", "0.6", "--timeout-rate", "0.6"],
            "add up to 1.2; together they must not exceed 1",
        ),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_options_exit_with_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_options_become_the_config():
    args = build_parser().parse_args(
        [
            "serve",
            "--as-of",
            "2024-06-01",
            "--layout",
            "2025-08",
            "--port",
            "0",
            "--error-rate",
            "0.1",
            "--timeout-rate",
            "0.05",
            "--timeout-seconds",
            "2",
            "--slow-rate",
            "0.02",
            "--slow-seconds",
            "0.5",
            "--truncate-rate",
            "0.03",
            "--permanent-error-rate",
            "0.01",
            "--seed",
            "42",
        ]
    )
    config = config_from_args(args)
    assert config.as_of == dt.date(2024, 6, 1)
    assert config.layout == "2025-08"
    assert config.port == 0
    faults = config.faults
    assert (faults.error_rate, faults.timeout_rate, faults.timeout_seconds) == (0.1, 0.05, 2.0)
    assert (faults.slow_rate, faults.slow_seconds, faults.truncate_rate) == (0.02, 0.5, 0.03)
    assert (faults.permanent_error_rate, faults.seed) == (0.01, 42)


def test_defaults_match_the_documented_interface():
    config = config_from_args(build_parser().parse_args(["serve"]))
    assert (config.host, config.port, config.as_of, config.layout) == (
        "127.0.0.1",
        8765,
        None,
        "current",
    )
    assert not config.faults.any


@pytest.mark.slow
def test_pfdw_snapshot_serve_serves_and_stops_on_sigterm():
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("pfdw")),
            "snapshot",
            "serve",
            "--port",
            "0",
            "--as-of",
            "2024-01-01",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        banner = process.stdout.readline() + process.stdout.readline()
        match = re.search(
            r"Open (http://127\.0\.0\.1:\d+)/prevention-of-future-death-reports/", banner
        )
        assert match, banner
        assert "as of 2024-01-01" in banner
        assert fetch(match.group(1), "/prevention-of-future-death-reports/").status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0


def test_importing_the_package_reads_no_data():
    code = (
        "import scrapers.snapshot.server, scrapers.snapshot.render, scrapers.snapshot.site as s;"
        "print(s.bundled_entries.cache_info().currsize)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "0"
