"""hssib_recommendations: HSSIB/HSIB national safety recommendations, responses and planned
actions. Crawl and load (``collect``) and the raw load (``load``, DDL ``raw_schema.sql``)."""

from orchestration.sources.hssib_recommendations import collect
from orchestration.sources.spec import AS_OF_LOGICAL_DATE, SourceSpec
from scrapers.hssib_recommendations import CANONICAL_ORIGIN

SOURCE = SourceSpec(
    slug="hssib_recommendations",
    description="HSSIB/HSIB safety recommendations log on hssib.org.uk (or its offline"
    " snapshot): recommendation, recipients, response and planned actions.",
    origin=CANONICAL_ORIGIN,
    raw_tables=("recommendations",),
    dbt_source="hssib_recommendations",
    suites=("hssib_raw_crawl",),
    as_of_rule=AS_OF_LOGICAL_DATE,
    crawl=collect.crawl,
    load=collect.load,
    load_metadata=collect.load_metadata,
    preview_sql="""
        SELECT last_changed_at, reference, investigation_title, recipients::VARCHAR AS recipients,
               response_received_raw, page_path
        FROM raw.hssib_recommendations__recommendations
        ORDER BY last_changed_at DESC, recommendation_key
        LIMIT 10""",
)
