"""Jobs: daily collection, monthly full recrawl, weekly publication audit, returns inbox.

Selections are by group and tag, never by lists of asset names, so new dbt models and the audit
assets (issue 5: group ``audit``, or tag ``pfdw/job=weekly_publication_audit``) join by
themselves. Every job that writes the warehouse carries ``WRITER_TAGS``; ``dagster.yaml`` lets
one such run go at a time, so runs queue instead of competing for DuckDB.
"""

import hashlib
from pathlib import Path

from dagster import (
    AssetSelection,
    Config,
    Failure,
    MetadataValue,
    OpExecutionContext,
    Output,
    define_asset_job,
    job,
    op,
)
from pydantic import Field

from orchestration.assets.collection import crawl_run_config
from orchestration.assets.publication import PUBLISHED_KEY

AUDIT_GROUP = "audit"
JOB_TAG_KEY = "pfdw/job"
WRITER_TAGS = {"pfdw/warehouse": "writer"}

PUBLISH = AssetSelection.assets(PUBLISHED_KEY)
AUDIT = AssetSelection.groups(AUDIT_GROUP) | AssetSelection.tag(
    JOB_TAG_KEY, "weekly_publication_audit"
)
PIPELINE = AssetSelection.all() - AUDIT

daily_collection = define_asset_job(
    "daily_collection",
    selection=PIPELINE,
    description="Incremental crawl of every spider, raw load, dbt build (models, seeds, tests),"
    " then publish the warehouse.",
    config=crawl_run_config("auto"),
    tags={**WRITER_TAGS, JOB_TAG_KEY: "daily_collection"},
)

full_recrawl = define_asset_job(
    "full_recrawl",
    selection=PIPELINE,
    description="Crawl the whole site again (catches edits to old pages), load, dbt build,"
    " publish.",
    config=crawl_run_config("full"),
    tags={**WRITER_TAGS, JOB_TAG_KEY: "full_recrawl"},
)

weekly_publication_audit = define_asset_job(
    "weekly_publication_audit",
    selection=AUDIT | PUBLISH,
    description="Publication-completeness and reconciliation audit for every coroner area and"
    " organisation (assets of group 'audit'), then publish.",
    tags={**WRITER_TAGS, JOB_TAG_KEY: "weekly_publication_audit"},
)


class ReturnsFileConfig(Config):
    path: str = Field(description="The returns file in the inbox")
    sha256: str = Field(description="Checksum of the file version that triggered the run")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@op(
    description="Receive one FOI/official returns file version. Its validation, load and the"
    " reconciliation come with the audit work (issue 5), which replaces this op."
)
def receive_returns_file(context: OpExecutionContext, config: ReturnsFileConfig):
    path = Path(config.path)
    if not path.is_file():
        raise Failure(f"returns file {path} is no longer in the inbox")
    actual = file_sha256(path)
    if actual != config.sha256:
        # A newer version arrived after the sensor saw this one; the sensor requests it too.
        context.log.warning("%s changed since it was seen (%s -> %s)", path, config.sha256, actual)
    context.log.info("received returns file %s (sha256 %s)", path, config.sha256)
    yield Output(
        str(path),
        metadata={
            "path": MetadataValue.path(str(path)),
            "sha256": config.sha256,
            "size_bytes": path.stat().st_size,
            "status": "received; load and reconciliation arrive with issue 5",
        },
    )


@job(
    description="Triggered by the returns inbox sensor, once per file version.",
    tags={**WRITER_TAGS, JOB_TAG_KEY: "returns_inbox"},
)
def returns_inbox():
    receive_returns_file()


JOBS = [daily_collection, full_recrawl, weekly_publication_audit, returns_inbox]
