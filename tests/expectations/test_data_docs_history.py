"""The one Data Docs site: runs accumulate with their names and data assets, the oldest are
pruned beyond the setting, and every page stays offline. Unit-level: small frames through
``AuditRunner``, no warehouse."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from expectations.config import AuditConfig
from expectations.data_docs import remote_references, run_name
from expectations.registry import SUITES
from expectations.runner import AuditRunner
from tests.expectations.test_suites import gaps_frame


def _audit(tmp_path, label: str, day: int, gaps: int = 0, runs_kept: int = 52):
    spec = next(s for s in SUITES if s.name == "ref_sequence_gaps")
    runner = AuditRunner(
        tmp_path / "data_docs",
        results_dir=tmp_path / "gx_validations",
        run_name=run_name(label, f"2025-08-{day:02d}"),
        run_time=datetime(2026, 11, day, 9, 0, tzinfo=UTC),
        runs_kept=runs_kept,
    )
    runner.validate(spec, gaps_frame(gaps), AuditConfig())
    return runner, runner.build_docs()


def _index_runs(index) -> set[str]:
    """Run names the index lists (its table rows are JSON inside the page)."""
    return set(re.findall(r"[a-z_]+-[0-9a-f]{8}-as_of-2025-08-\d\d", index.read_text()))


def test_two_audits_share_one_site_listing_both_runs_by_name_and_asset(tmp_path):
    first, index = _audit(tmp_path, "weekly_publication_audit-1a2b3c4d", 20)
    second, index_again = _audit(tmp_path, "collect_and_audit-5e6f7a8b", 27, gaps=2)
    assert index == index_again == tmp_path / "data_docs" / "index.html"
    assert _index_runs(index) == {
        "weekly_publication_audit-1a2b3c4d-as_of-2025-08-20",
        "collect_and_audit-5e6f7a8b-as_of-2025-08-27",
    }
    text = index.read_text()
    assert "main.audit_ref_sequence_years" in text  # the data asset, not None
    assert "__none__" not in text
    for runner in (first, second):
        page = runner.page_paths()["ref_sequence_gaps"]
        assert page.is_file(), page
        html = page.read_text()
        assert runner.run_id.run_name in html
        assert "main.audit_ref_sequence_years" in html
        assert "Data asset: None" not in html and "__none__" not in html
    assert remote_references(tmp_path / "data_docs") == []


def test_the_site_keeps_the_newest_runs_and_prunes_the_oldest(tmp_path):
    for day in (1, 2, 3):
        runner, index = _audit(tmp_path, f"daily_collection-0000000{day}", day, runs_kept=2)
    assert _index_runs(index) == {
        "daily_collection-00000002-as_of-2025-08-02",
        "daily_collection-00000003-as_of-2025-08-03",
    }
    stored = sorted(p.parent.parent.name for p in (tmp_path / "gx_validations").rglob("*.json"))
    assert stored == [
        "daily_collection-00000002-as_of-2025-08-02",
        "daily_collection-00000003-as_of-2025-08-03",
    ]
    pages = list((tmp_path / "data_docs" / "validations").rglob("*.html"))
    assert len(pages) == 2 and not any("00000001" in str(p) for p in pages)
    assert not (tmp_path / "data_docs" / "validations" / "ref_sequence_gaps" /
                "daily_collection-00000001-as_of-2025-08-01").exists()  # fmt: skip


def test_run_names_are_safe_folder_names():
    assert run_name("collect_and_audit-1a2b3c4d", "2025-08-01") == (
        "collect_and_audit-1a2b3c4d-as_of-2025-08-01"
    )
    assert run_name("pfdw audit/../x", None) == "pfdw_audit_.._x"
    assert "/" not in run_name("a/b", "c/d")
    assert run_name("..") == "audit"


def test_runs_kept_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="data_docs_runs_kept must be at least 1"):
        AuditRunner(tmp_path / "docs", results_dir=tmp_path / "results", runs_kept=0)
    assert json.loads(json.dumps(AuditConfig().to_dict()))["data_docs_runs_kept"] == 52


def test_every_suite_check_links_to_the_data_docs_site():
    from expectations.runner import SuiteOutcome
    from orchestration.defs.checks import check_result

    spec = next(s for s in SUITES if s.name == "ref_sequence_gaps")
    outcome = SuiteOutcome("ref_sequence_gaps", spec.table, True, None, [], 2, {})
    metadata = check_result(spec, outcome).metadata
    assert metadata["data_docs"].value == "http://127.0.0.1:8580/gx/index.html"
