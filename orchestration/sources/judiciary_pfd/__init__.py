"""judiciary_pfd: every PFD report page on judiciary.uk, and each report's own text. Crawl and
load (``collect``), the raw load (``load``, ``load_texts``; DDL ``raw_schema.sql``) and the
incremental revisit policy and text state (``incremental``)."""

from orchestration.sources.judiciary_pfd import collect
from orchestration.sources.spec import AS_OF_SITE, SourceSpec
from scrapers.judiciary_pfd import CANONICAL_ORIGIN

SOURCE = SourceSpec(
    slug="judiciary_pfd",
    description="Prevention of Future Deaths reports on judiciary.uk (or its offline snapshot).",
    origin=CANONICAL_ORIGIN,
    raw_tables=("reports", "documents", "report_versions", "report_texts"),
    dbt_source="judiciary_pfd",
    suites=("raw_crawl",),
    as_of_rule=AS_OF_SITE,
    crawl=collect.crawl,
    load=collect.load_judiciary_pfd,
    load_metadata=collect.load_metadata,
    preview_sql="""
        SELECT date_added_raw AS date_added, ref_raw AS ref, deceased_name_raw AS deceased,
               coroner_area_raw AS coroner_area, report_url
        FROM raw.judiciary_pfd__reports
        ORDER BY date_added_raw DESC NULLS LAST, report_url
        LIMIT 10""",
    row_checks=(
        (
            "header_fields_parsed",
            "reports",
            "Every report page yields at least one header field (ref, date of report, deceased,"
            " coroner area); a page with none means the page layout changed under the parser.",
            """
            SELECT report_url, page_title, parse_warnings::VARCHAR AS parse_warnings
            FROM raw.judiciary_pfd__reports
            WHERE ref_raw IS NULL AND date_of_report_raw IS NULL
              AND deceased_name_raw IS NULL AND coroner_area_raw IS NULL
            ORDER BY report_url""",
        ),
        (
            "documents_belong_to_reports",
            "documents",
            "Every document link belongs to a report page held in raw.judiciary_pfd__reports.",
            """
            SELECT d.report_url, d.document_url, d.kind
            FROM raw.judiciary_pfd__documents AS d
            LEFT JOIN raw.judiciary_pfd__reports AS r USING (report_url)
            WHERE r.report_url IS NULL
            ORDER BY d.report_url, d.document_url""",
        ),
        (
            "report_texts_belong_to_reports",
            "report_texts",
            "Every report text belongs to a report page held in raw.judiciary_pfd__reports, and a"
            " text read from a PDF names a document linked from that page.",
            """
            SELECT t.report_url, t.text_source, t.document_url,
                   CASE WHEN r.report_url IS NULL THEN 'no such report'
                        ELSE 'PDF not linked from the page' END AS problem
            FROM raw.judiciary_pfd__report_texts AS t
            LEFT JOIN raw.judiciary_pfd__reports AS r USING (report_url)
            LEFT JOIN raw.judiciary_pfd__documents AS d
                ON d.report_url = t.report_url AND d.document_url = t.document_url
            WHERE r.report_url IS NULL OR (t.text_source = 'pdf' AND d.report_url IS NULL)
            ORDER BY t.report_url""",
        ),
    ),
)
