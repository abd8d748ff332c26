"""Metadata a person can read in the Dagster UI: small markdown tables of scraped text, escaped."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from orchestration.warehouse import connection

CELL_CHARS = 120


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if len(text) > CELL_CHARS:
        text = text[: CELL_CHARS - 1] + "…"
    # The UI renders markdown as HTML: scraped text is escaped, and '|' would split the cell.
    return html.escape(text).replace("|", "\\|")


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    if not rows:
        return "_none_"
    lines = [
        "| " + " | ".join(_cell(c) for c in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def query_rows(
    warehouse: Path, sql: str, params: Sequence[Any] | None = None
) -> tuple[list[str], list[tuple]]:
    with connection.connect(warehouse, read_only=True) as con:
        cursor = con.execute(sql, params or [])
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()


def table_row_count(warehouse: Path, schema: str, table: str) -> int | None:
    """Row count, or None when the table does not exist (yet)."""
    with connection.connect(warehouse, read_only=True) as con:
        if not connection.table_exists(con, schema, table):
            return None
        # Identifiers come from the code's own registry, never from scraped text.
        sql = f'SELECT count(*) FROM "{schema}"."{table}"'  # noqa: S608
        return con.execute(sql).fetchall()[0][0]


# --- who owns each asset, and the tags it carries ------------------------------------------------
#
# The ONE table of owners: by Dagster group (the layer). The dbt translator and the
# code location's spec map both read it; a dbt model, seed or source can name its own owners in
# its YAML (``meta: {dagster: {owners: [...]}}``, dagster-dbt's convention), which wins.

DATA_ENGINEERING = "team:data-engineering"
ANALYTICS_ENGINEERING = "team:analytics-engineering"
DATA_QUALITY = "team:data-quality"

OWNERS_BY_GROUP: dict[str, tuple[str, ...]] = {
    "collection": (DATA_ENGINEERING,),
    "raw": (DATA_ENGINEERING,),
    "staging": (ANALYTICS_ENGINEERING,),
    "seeds": (ANALYTICS_ENGINEERING,),
    "intermediate": (ANALYTICS_ENGINEERING,),
    "marts": (ANALYTICS_ENGINEERING,),
    "audit": (DATA_QUALITY,),
    "search": (DATA_ENGINEERING,),
    "publication": (DATA_ENGINEERING,),
}
# A group not in the table (a new one) still gets an owner; a test asks for it to be listed.
DEFAULT_OWNERS = (DATA_ENGINEERING,)

LAYER_TAG = "layer"
SOURCE_TAG = "source"


def owners_for_group(group: str | None) -> list[str]:
    return list(OWNERS_BY_GROUP.get(group or "", DEFAULT_OWNERS))


def source_of(key_path: Sequence[str]) -> str | None:
    """The source slug an asset belongs to, by the naming rule every tier follows: ``crawl/<slug>``,
    ``raw/<slug>__<table>``, ``staging/stg_<slug>__<entity>``; None for shared assets."""
    from orchestration.sources.registry import SOURCES

    name = key_path[-1]
    for slug in (spec.slug for spec in SOURCES):
        if list(key_path) == ["crawl", slug] or name.startswith((f"{slug}__", f"stg_{slug}__")):
            return slug
    return None


def asset_tags(key_path: Sequence[str], group: str | None) -> dict[str, str]:
    """``layer`` (the group) on every asset, ``source`` (the slug) on a source's own assets, so
    ``tag:source=judiciary_pfd`` selects one source's crawl, raw and staging assets."""
    tags = {LAYER_TAG: group or "default"}
    slug = source_of(key_path)
    if slug:
        tags[SOURCE_TAG] = slug
    return tags


def with_owners_tags_and_links(doc_links: Mapping[Any, Any]) -> Callable[[Any], Any]:
    """A function for ``Definitions.map_asset_specs``: the group's owners when an asset names
    none, the ``layer``/``source`` tags (an asset's own tags win), and its dbt docs link when it
    is a dbt source (``doc_links``: asset key -> url)."""

    def annotate(spec):
        owners = list(spec.owners) or owners_for_group(spec.group_name)
        tags = {**asset_tags(spec.key.path, spec.group_name), **spec.tags}
        link = doc_links.get(spec.key)
        metadata = (
            {"dbt_docs": link} if link is not None and "dbt_docs" not in spec.metadata else {}
        )
        return spec.replace_attributes(owners=owners).merge_attributes(
            tags={k: v for k, v in tags.items() if not k.startswith("dagster/kind/")},
            metadata=metadata,
        )

    return annotate
