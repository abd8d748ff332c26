"""What the Dagster UI shows about each asset: owners, kinds, tags, descriptions, dbt docs links,
and freshness policies that follow the schedules. Definitions load only, nothing runs."""

import json
from datetime import datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from dagster import AssetKey
from dagster._utils.schedules import cron_string_iterator

from orchestration.defs import dbt_project
from orchestration.defs.dbt_project import (
    DBT_DOCS_KEY,
    DBT_DOCS_URL_ENV,
    DEFAULT_DBT_DOCS_URL,
    dbt_docs_base_url,
    translator,
)
from orchestration.defs.freshness import GRACE, KEY_MARTS, deadline_cron, freshness_policies
from orchestration.defs.metadata import LAYER_TAG, OWNERS_BY_GROUP, SOURCE_TAG
from orchestration.sources.registry import SPIDERS

LONDON = ZoneInfo("Europe/London")
PUBLISHED = AssetKey(["warehouse", "published"])
DBT_UNIQUE_ID = "dagster_dbt/unique_id"
DOCUMENTED = ("model", "seed", "snapshot")


@pytest.fixture(scope="module")
def graph(code_location):
    return code_location.resolve_asset_graph()


@pytest.fixture(scope="module")
def nodes(graph):
    return [
        graph.get(key) for key in graph.get_all_asset_keys() if graph.get(key).is_materializable
    ]


@pytest.fixture(scope="module")
def manifest(dbt_manifest):
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


def test_every_asset_has_owners_kinds_and_its_layer_tag(nodes):
    assert len(nodes) > 50
    for node in nodes:
        name = node.key.to_user_string()
        # Every group is in the one table (a new group fails here, not silently defaulted).
        assert node.group_name in OWNERS_BY_GROUP, name
        assert list(node.owners) == list(OWNERS_BY_GROUP[node.group_name]), name
        assert node.kinds, name
        assert node.tags[LAYER_TAG] == node.group_name, name


def test_kinds_say_what_each_asset_is(graph):
    def kinds(*path):
        return graph.get(AssetKey(list(path))).kinds

    assert kinds("crawl", "judiciary_pfd") == {"scrapy"}
    assert kinds("fct_reports") == {"dbt", "duckdb", "table"}
    assert kinds("staging", "stg_judiciary_pfd__reports") == {"dbt", "duckdb", "view"}
    assert kinds("reference", "nhs_trusts") == {"dbt", "duckdb", "seed"}


def test_a_source_tag_selects_one_sources_crawl_raw_and_staging(graph):
    tagged = {
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if graph.get(key).tags.get(SOURCE_TAG) == "judiciary_pfd"
    }
    assert {
        "crawl/judiciary_pfd",
        "raw/judiciary_pfd__reports",
        "staging/stg_judiciary_pfd__reports",
    } <= tagged
    assert not {k for k in tagged if not k.startswith(("crawl/", "raw/", "staging/"))}
    assert SOURCE_TAG not in graph.get(AssetKey(["fct_reports"])).tags


def test_owners_named_in_dbt_meta_win_over_the_group_rule():
    model = {
        "resource_type": "model",
        "name": "fct_x",
        "fqn": ["pfd_warehouse", "marts", "fct_x"],
        "meta": {"dagster": {"owners": ["someone@example.org"]}},
    }
    assert translator.get_owners(model) == ["someone@example.org"]
    assert translator.get_owners({**model, "meta": {}}) == list(OWNERS_BY_GROUP["marts"])


def test_dbt_descriptions_are_the_yaml_never_raw_sql(graph, manifest):
    dbt_nodes = [
        graph.get(k) for k in graph.get_all_asset_keys() if DBT_UNIQUE_ID in graph.get(k).metadata
    ]
    assert len(dbt_nodes) > 40
    for node in dbt_nodes:
        name = node.key.to_user_string()
        assert "Raw SQL" not in node.description, name
        assert not node.description.startswith("dbt "), f"{name} has no description in its YAML"
    # And the YAML behind them: every model, seed and source says what it is, in the project.
    resources = [n for n in manifest["nodes"].values() if n["resource_type"] in DOCUMENTED] + list(
        manifest["sources"].values()
    )
    for resource in resources:
        assert resource.get("description", "").strip(), resource["unique_id"]
        texts = [resource["description"]] + [
            c.get("description") or "" for c in resource.get("columns", {}).values()
        ]
        assert not [t for t in texts if "shared/" in t], resource["unique_id"]


def test_a_missing_description_falls_back_to_the_name_not_the_sql():
    props = {"resource_type": "model", "name": "fct_x", "description": " ", "raw_code": "select 1"}
    assert translator.get_description(props) == "dbt model fct_x"


def test_dbt_assets_and_sources_link_to_their_dbt_docs_page(graph, manifest):
    base = dbt_docs_base_url()
    linked = 0
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        unique_id = node.metadata.get(DBT_UNIQUE_ID)
        if unique_id is None:
            continue
        resource_type = unique_id.split(".")[0]
        url = node.metadata[DBT_DOCS_KEY].url
        assert url == f"{base}/#!/{resource_type}/{unique_id}", key
        parsed = urlparse(url)
        assert parsed.scheme in ("http", "https") and parsed.netloc, url
        linked += 1
    assert linked > 40
    # The raw assets are the dbt sources: they link to the source's page.
    source_id = next(
        s["unique_id"]
        for s in manifest["sources"].values()
        if s["identifier"] == "judiciary_pfd__reports"
    )
    raw = graph.get(AssetKey(["raw", "judiciary_pfd__reports"]))
    assert raw.metadata[DBT_DOCS_KEY].url == f"{base}/#!/source/{source_id}"


def test_the_dbt_docs_address_is_a_setting_read_when_called(monkeypatch):
    monkeypatch.delenv(DBT_DOCS_URL_ENV, raising=False)
    assert dbt_docs_base_url() == DEFAULT_DBT_DOCS_URL == "http://127.0.0.1:8580"
    monkeypatch.setenv(DBT_DOCS_URL_ENV, "https://docs.example.org/pfd/")
    assert dbt_docs_base_url() == "https://docs.example.org/pfd"
    assert dbt_project.dbt_docs_url(dbt_docs_base_url(), "seed", "seed.p.x") == (
        "https://docs.example.org/pfd/#!/seed/seed.p.x"
    )
    monkeypatch.setenv(DBT_DOCS_URL_ENV, "localhost:8580")
    with pytest.raises(ValueError, match=DBT_DOCS_URL_ENV):
        dbt_docs_base_url()


# --- freshness ----------------------------------------------------------------------------------


def _ticks(cron: str, timezone: str, start: datetime, count: int) -> list[datetime]:
    ticks = cron_string_iterator(start.timestamp(), cron, timezone)
    return [next(ticks) for _ in range(count)]


def test_crawl_raw_key_marts_and_published_are_due_an_hour_after_the_daily_collection(
    code_location, graph
):
    schedule = code_location.resolve_schedule_def("daily_collection_schedule")
    expected = {PUBLISHED, *(AssetKey([m]) for m in KEY_MARTS)}
    for spec in SPIDERS:
        expected.add(AssetKey(["crawl", spec.slug]))
        expected |= {AssetKey(["raw", f"{spec.slug}__{t}"]) for t in spec.raw_tables}
    assert AssetKey(["raw", "judiciary_pfd__reports"]) in expected
    # Across the clocks going forward (29 March 2026): each deadline is the schedule's tick + 1h,
    # in London time, and the update must come after the tick.
    start = datetime(2026, 3, 27, 12, tzinfo=LONDON)
    schedule_ticks = _ticks(schedule.cron_schedule, schedule.execution_timezone, start, 4)
    for key in expected:
        policy = graph.get(key).freshness_policy
        assert policy is not None, key
        assert policy.timezone == schedule.execution_timezone == "Europe/London"
        assert policy.lower_bound_delta == GRACE == timedelta(hours=1)
        deadlines = _ticks(policy.deadline_cron, policy.timezone, start, 4)
        assert [d - t for d, t in zip(deadlines, schedule_ticks, strict=True)] == [GRACE] * 4
        assert [d.hour for d in deadlines] == [7, 7, 7, 7]


def test_the_audit_report_follows_the_weekly_audit_and_returns_have_no_policy(code_location, graph):
    weekly = code_location.resolve_schedule_def("weekly_publication_audit_schedule")
    audit = graph.get(AssetKey(["audit", "report"])).freshness_policy
    assert audit.deadline_cron == deadline_cron(weekly.cron_schedule, GRACE) == "0 8 * * 1"
    # Files people send arrive on no schedule: an old load is not a late one.
    for table in ("returns__files", "returns__rows"):
        assert graph.get(AssetKey(["raw", table])).freshness_policy is None


def test_every_policy_names_an_asset_of_the_code_location(code_location, graph):
    policies = freshness_policies(code_location.schedules)
    assert set(policies) <= set(graph.get_all_asset_keys())


def test_a_schedule_the_deadline_rule_cannot_shift_is_one_clear_error():
    assert deadline_cron("30 6 * * 1-5", timedelta(hours=2)) == "30 8 * * 1-5"
    for cron, grace in (
        ("*/15 * * * *", GRACE),
        ("0 23 * * *", GRACE),
        ("0 6 * * *", timedelta(minutes=90)),
    ):
        with pytest.raises(ValueError, match="freshness deadline"):
            deadline_cron(cron, grace)
