"""The code location loads, every job selects what it should, schedules ask for the right runs."""

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from dagster import (
    AssetCheckKey,
    AssetKey,
    DagsterInstance,
    QueuedRunCoordinator,
    build_schedule_context,
)
from dagster._utils.schedules import cron_string_iterator

from orchestration import definitions as definitions_module
from orchestration.defs import runs
from orchestration.sources.registry import SPIDERS

PIPELINE_GROUPS = {"collection", "raw", "staging", "seeds", "search", "publication"}
LONDON = ZoneInfo("Europe/London")
JOBS = {
    "daily_collection",
    "full_recrawl",
    "returns_inbox",
    "weekly_publication_audit",
    "collect_and_audit",
}
WRITER_LIMIT = {"key": "pfdw/warehouse", "value": "writer", "limit": 1}
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def asset_keys(code_location, job_name: str) -> set[AssetKey]:
    job = code_location.resolve_job_def(job_name)
    return set(job.asset_layer.executable_asset_keys)


def groups(code_location, keys) -> set[str]:
    graph = code_location.resolve_asset_graph()
    return {graph.get(key).group_name for key in keys}


def test_importing_the_module_builds_nothing():
    # Lazy: the module only holds the loader, so importing it (what workspace.yaml does first)
    # reads no manifest and imports none of the definitions, dbt or Great Expectations. A fresh
    # interpreter, since this test session has imported all of them already.
    probe = (
        "import json, sys\n"
        "import orchestration.definitions as module\n"
        "print(json.dumps({'type': type(module.defs).__name__, 'modules': sorted(sys.modules)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(result.stdout)
    assert loaded["type"] == "LazyDefinitions"
    heavy = [
        name
        for name in loaded["modules"]
        if name.startswith(("orchestration.defs", "orchestration.sources", "dagster_dbt"))
        or name.startswith(("great_expectations", "scrapy", "expectations"))
    ]
    assert heavy == []
    assert "orchestration.definitions" in loaded["modules"]


def test_the_workspace_entry_point_loads_the_five_jobs(dbt_manifest):
    # What `dagster dev -w workspace.yaml` calls: the lazy ``defs`` of orchestration.definitions.
    loaded = definitions_module.defs()
    assert {job.name for job in loaded.jobs} == JOBS
    assert {schedule.name for schedule in loaded.schedules} == {
        "daily_collection_schedule",
        "weekly_publication_audit_schedule",
        "full_recrawl_schedule",
    }
    assert set(loaded.resources) == {"warehouse", "crawler", "audit", "dbt"}


def test_every_registered_spider_has_its_crawl_and_raw_assets(code_location):
    graph = code_location.resolve_asset_graph()
    assert {spec.slug for spec in SPIDERS} >= {"judiciary_pfd", "hssib_recommendations"}
    for spec in SPIDERS:
        crawl = AssetKey(["crawl", spec.slug])
        assert graph.has(crawl), crawl
        assert graph.get(crawl).is_materializable
        assert graph.get(crawl).group_name == "collection"
        assert spec.raw_tables, spec.slug
        for table in spec.raw_tables:
            raw = AssetKey(["raw", f"{spec.slug}__{table}"])
            assert graph.has(raw), raw
            assert graph.get(raw).is_materializable
            assert crawl in graph.get(raw).parent_keys, raw


def test_definitions_load_with_every_part(code_location):
    assert {job.name for job in code_location.jobs} == JOBS
    graph = code_location.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"crawl/judiciary_pfd", "crawl/hssib_recommendations"} <= keys
    assert {"raw/judiciary_pfd__reports", "raw/judiciary_pfd__documents", "raw/crawl_runs"} <= keys
    assert "warehouse/published" in keys
    assert any(k.startswith("staging/stg_judiciary_pfd__reports") for k in keys)
    assert PIPELINE_GROUPS <= {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    schedules = {s.name for s in code_location.schedules}
    assert schedules == {
        "daily_collection_schedule",
        "weekly_publication_audit_schedule",
        "full_recrawl_schedule",
    }
    assert {s.name for s in code_location.sensors} == {
        "returns_inbox_sensor",
        "record_run_failures",
    }


def test_dbt_sources_are_the_raw_assets_so_lineage_is_one_graph(code_location):
    graph = code_location.resolve_asset_graph()
    staging = graph.get(AssetKey(["staging", "stg_judiciary_pfd__reports"]))
    assert AssetKey(["raw", "judiciary_pfd__reports"]) in staging.parent_keys
    raw = graph.get(AssetKey(["raw", "judiciary_pfd__reports"]))
    assert AssetKey(["crawl", "judiciary_pfd"]) in raw.parent_keys
    # Nothing in the graph is a dangling dbt source: every raw key is materializable here.
    raw_keys = [k for k in graph.get_all_asset_keys() if k.path[0] == "raw"]
    assert raw_keys and all(graph.get(k).is_materializable for k in raw_keys)


def test_dbt_tests_and_raw_checks_are_asset_checks(code_location):
    checks = {
        (key.asset_key.to_user_string(), key.name)
        for key in code_location.resolve_asset_graph().asset_check_keys
    }
    assert ("raw/judiciary_pfd__reports", "header_fields_parsed") in checks
    assert (
        "raw/judiciary_pfd__reports",
        "source_unique_judiciary_pfd_reports_report_url",
    ) in checks
    assert ("raw/crawl_errors", "latest_crawl_without_errors") in checks


def test_daily_and_full_recrawl_select_the_whole_pipeline(code_location):
    graph = code_location.resolve_asset_graph()
    everything = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    audit = {k for k in everything if graph.get(k).group_name == "audit"}
    for job_name in ("daily_collection", "full_recrawl"):
        selected = asset_keys(code_location, job_name)
        assert selected == everything - audit, job_name
        assert AssetKey(["warehouse", "published"]) in selected


def test_jobs_set_the_crawl_mode_and_writer_tag(code_location):
    expected = {"daily_collection": "auto", "full_recrawl": "full"}
    for job_name, mode in expected.items():
        job = code_location.resolve_job_def(job_name)
        for slug in ("judiciary_pfd", "hssib_recommendations"):
            assert job.run_config["ops"][f"crawl__{slug}"]["config"]["mode"] == mode
        assert job.tags["pfdw/warehouse"] == "writer"
    for job_name in ("returns_inbox", "weekly_publication_audit", "collect_and_audit"):
        assert code_location.resolve_job_def(job_name).tags["pfdw/warehouse"] == "writer"


RETURNS_TABLES = ("files", "rows", "report_lines", "requests")
RETURNS_KEYS = {AssetKey(["raw", f"returns__{table}"]) for table in RETURNS_TABLES}
AUDIT_REPORT = AssetKey(["audit", "report"])
PUBLISHED = AssetKey(["warehouse", "published"])


def check_keys(code_location, job_name: str) -> set[tuple[str, str]]:
    job = code_location.resolve_job_def(job_name)
    return {
        (k.asset_key.to_user_string(), k.name) for k in job.asset_layer.asset_graph.asset_check_keys
    }


def test_weekly_audit_reloads_returns_and_runs_every_audit_suite(code_location):
    selected = asset_keys(code_location, "weekly_publication_audit")
    assert RETURNS_KEYS | {AUDIT_REPORT, PUBLISHED, AssetKey(["audit_returns_reconciliation"])} <= (
        selected
    )
    assert AssetKey(["crawl", "judiciary_pfd"]) not in selected
    assert AssetKey(["fct_reports"]) not in selected
    checks = check_keys(code_location, "weekly_publication_audit")
    assert {
        ("audit_returns_reconciliation", "gx_returns_reconciliation"),
        ("audit_publication_completeness", "gx_coroner_area_completeness"),
        ("audit_ref_sequence_gaps", "gx_ref_sequence_gaps"),
        ("audit_foi_campaign", "gx_foi_campaign"),
    } <= checks
    # The crawl suite belongs to the collection; the weekly audit does not re-crawl.
    assert ("raw/judiciary_pfd__reports", "gx_raw_crawl") not in checks


def test_returns_inbox_job_loads_reconciles_audits_and_publishes(code_location):
    selected = asset_keys(code_location, "returns_inbox")
    assert RETURNS_KEYS | {AUDIT_REPORT, PUBLISHED, AssetKey(["audit_returns_reconciliation"])} <= (
        selected
    )
    assert not {k for k in selected if k.path[0] == "crawl"}
    assert AssetKey(["dim_organisations"]) not in selected  # names resolve against the last build


def test_make_run_job_is_the_whole_pipeline_with_the_audit(code_location):
    assert runs.DEFAULT_JOB == "collect_and_audit"
    graph = code_location.resolve_asset_graph()
    everything = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    selected = asset_keys(code_location, "collect_and_audit")
    assert selected == everything
    assert {AUDIT_REPORT, AssetKey(["crawl", "hssib_recommendations"])} | RETURNS_KEYS <= selected
    checks = check_keys(code_location, "collect_and_audit")
    assert ("raw/judiciary_pfd__reports", "gx_raw_crawl") in checks
    assert ("audit_returns_reconciliation", "gx_returns_reconciliation") in checks


def test_raw_crawl_suite_blocks_dbt_and_returns_are_a_raw_source(code_location):
    graph = code_location.resolve_asset_graph()
    raw_crawl = next(k for k in graph.asset_check_keys if k.name == "gx_raw_crawl")
    assert raw_crawl.asset_key == AssetKey(["raw", "judiciary_pfd__reports"])
    assert graph.get_check_spec(raw_crawl).blocking
    # The returns are a raw source like the crawls (nothing upstream, so lineage reads left to
    # right); the reconciliation reads them and the marts, then feeds the audit and publication.
    for key in RETURNS_KEYS:
        assert graph.get(key).parent_keys == set(), key
    staging = graph.get(AssetKey(["staging", "stg_returns__returns"]))
    assert {AssetKey(["raw", "returns__files"]), AssetKey(["raw", "returns__rows"])} <= (
        staging.parent_keys
    )
    lines = graph.get(AssetKey(["staging", "stg_returns__report_lines"]))
    assert AssetKey(["raw", "returns__report_lines"]) in lines.parent_keys
    reconciliation = graph.get(AssetKey(["audit_returns_reconciliation"]))
    assert reconciliation.is_materializable
    assert AssetKey(["dim_organisations"]) in reconciliation.parent_keys
    assert AUDIT_REPORT in {k for k in reconciliation.child_keys}
    assert PUBLISHED in graph.get(AUDIT_REPORT).child_keys


def test_hssib_crawl_feeds_the_hssib_dbt_source(code_location):
    graph = code_location.resolve_asset_graph()
    raw = graph.get(AssetKey(["raw", "hssib_recommendations__recommendations"]))
    assert raw.is_materializable
    assert AssetKey(["crawl", "hssib_recommendations"]) in raw.parent_keys
    staging = graph.get(AssetKey(["staging", "stg_hssib_recommendations__recommendations"]))
    assert raw.key in staging.parent_keys
    for job_name in ("daily_collection", "full_recrawl"):
        assert AssetKey(["crawl", "hssib_recommendations"]) in asset_keys(code_location, job_name)


def _schedule_request(code_location, name: str, when: datetime):
    schedule = code_location.resolve_schedule_def(name)
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(instance=instance, scheduled_execution_time=when)
        requests = schedule.evaluate_tick(context).run_requests
    return schedule, requests


def test_schedules_run_at_london_times(code_location):
    expected = {
        "daily_collection_schedule": ("0 6 * * *", "daily_collection"),
        "weekly_publication_audit_schedule": ("0 7 * * 1", "weekly_publication_audit"),
        "full_recrawl_schedule": ("0 2 1 * *", "full_recrawl"),
    }
    for name, (cron, job_name) in expected.items():
        schedule, requests = _schedule_request(
            code_location, name, datetime(2026, 6, 1, 6, 0, tzinfo=LONDON)
        )
        assert schedule.cron_schedule == cron
        assert schedule.execution_timezone == "Europe/London"
        assert schedule.job_name == job_name
        assert len(requests) == 1


def test_daily_schedule_follows_british_summer_time(code_location):
    schedule = code_location.resolve_schedule_def("daily_collection_schedule")
    ticks = cron_string_iterator(
        datetime(2026, 3, 27, 12, tzinfo=LONDON).timestamp(),
        schedule.cron_schedule,
        schedule.execution_timezone,
    )
    first, second = next(ticks), next(ticks)
    # 28 March is GMT, 29 March (the clocks go forward) is BST: 06:00 local both days.
    assert (first.hour, first.utcoffset().total_seconds()) == (6, 0)
    assert (second.hour, second.utcoffset().total_seconds()) == (6, 3600)


def test_instance_config_disables_telemetry_and_queues_writers():
    config = yaml.safe_load(Path(runs.INSTANCE_CONFIG).read_text())
    assert config["telemetry"]["enabled"] is False
    limits = config["concurrency"]["runs"]["tag_concurrency_limits"]
    assert WRITER_LIMIT in limits


def test_instance_config_is_accepted_by_dagster(tmp_path):
    (tmp_path / "dagster.yaml").write_text(Path(runs.INSTANCE_CONFIG).read_text())
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        # Runs are queued (not launched at once), and the daemon dequeues by the instance's run
        # queue config: one writer at a time.
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        run_queue = instance.get_concurrency_config().run_queue_config
        assert run_queue is not None
        assert run_queue.tag_concurrency_limits == [WRITER_LIMIT]
        assert instance.telemetry_enabled is False
        assert instance.nux_enabled is False
        # The freshness policies (orchestration.defs.freshness) need no sensor or run: the
        # freshness daemon, started with the UI, evaluates them.
        assert instance.freshness_enabled
        assert "FRESHNESS_DAEMON" in instance.get_required_daemon_types()


# The order the asset graph reads in, left to right (orchestration/defs/*: groups).
LAYER_ORDER = {
    "collection": 0,
    "raw": 1,
    "seeds": 1,
    "staging": 2,
    "intermediate": 3,
    "marts": 4,
    "audit": 5,
    "search": 6,
    "publication": 7,
}


def test_lineage_reads_left_to_right_from_raw_to_publication(code_location):
    graph = code_location.resolve_asset_graph()
    backwards = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name in LAYER_ORDER, (key, node.group_name)
        for parent in node.parent_keys:
            if LAYER_ORDER[graph.get(parent).group_name] > LAYER_ORDER[node.group_name]:
                backwards.append(f"{parent.to_user_string()} -> {key.to_user_string()}")
    assert backwards == []


def test_the_search_index_reads_the_marts_and_feeds_the_publication(code_location):
    graph = code_location.resolve_asset_graph()
    index = graph.get(AssetKey(["search", "index"]))
    assert index.group_name == "search"
    read = {AssetKey([name]) for name in ("fct_report_sections", "fct_reports", "dim_deceased")}
    assert read <= index.parent_keys
    assert PUBLISHED in index.child_keys
    # an index that lost reports is never published
    check = AssetCheckKey(AssetKey(["search", "index"]), "every_report_with_text_indexed_once")
    assert graph.get_check_spec(check).blocking
    assert AssetKey(["search", "index"]) in asset_keys(code_location, "daily_collection")
    checks = check_keys(code_location, "collect_and_audit")
    assert ("search/index", "every_report_with_text_indexed_once") in checks
