-- Raw landing table of the hssib_recommendations source (crawl bookkeeping:
-- orchestration/sources/raw_runs.sql). Created idempotently by
-- orchestration.sources.hssib_recommendations.load.ensure_hssib_schema.
CREATE SCHEMA IF NOT EXISTS raw;

-- Latest observation per HSSIB/HSIB safety recommendation page, with its history markers.
CREATE TABLE IF NOT EXISTS raw.hssib_recommendations__recommendations (
    recommendation_key      VARCHAR PRIMARY KEY,  -- coalesce(log_url, page_path)
    log_url                 VARCHAR,              -- canonical log URL; NULL when not known
    page_path               VARCHAR NOT NULL,     -- path the page was served at
    source_page_kind        VARCHAR,              -- log_item | investigation_page
    listing_page            INTEGER,
    page_title              VARCHAR,
    investigation_title     VARCHAR,
    investigation_url       VARCHAR,
    investigation_source    VARCHAR,
    reference               VARCHAR,
    reference_source        VARCHAR,
    recommendation_date_raw VARCHAR,
    recommendation_date     DATE,
    recipient_heading       VARCHAR,
    recommendation_prefix   VARCHAR,
    recipient_phrase        VARCHAR,
    recipients              JSON NOT NULL,        -- list of recipient names as written
    recipients_source       VARCHAR,
    recommendation_text     VARCHAR NOT NULL,
    response_text           VARCHAR,
    closure_note            VARCHAR,
    actions_heading         VARCHAR,
    planned_actions         JSON NOT NULL,        -- list of action objects (position, text, ...)
    links_label_present     BOOLEAN,
    additional_sections     JSON NOT NULL,        -- list of {heading, text}
    response_received_raw   VARCHAR,
    response_received_date  DATE,
    truncated               BOOLEAN NOT NULL,
    truncated_in            VARCHAR,
    parse_warnings          JSON NOT NULL,
    http_etag               VARCHAR,
    content_hash            VARCHAR NOT NULL,     -- sha256 of the item without fetch metadata
    crawled_at              TIMESTAMP NOT NULL,   -- UTC time of the latest fetch
    first_seen_at           TIMESTAMP NOT NULL,
    last_seen_at            TIMESTAMP NOT NULL,
    last_changed_at         TIMESTAMP NOT NULL,
    first_seen_run_id       VARCHAR NOT NULL,
    last_seen_run_id        VARCHAR NOT NULL,
    first_seen_on           DATE NOT NULL,        -- logical dates of the same events
    last_seen_on            DATE NOT NULL,
    item                    JSON NOT NULL,        -- the latest item exactly as crawled
    -- The capture the page states (offline replica): captured on or after captured_on. NULL on
    -- hssib.org.uk, whose pages are captured when fetched (crawled_at, last_seen_on).
    captured_on             DATE,
    capture_date_basis      VARCHAR               -- on_or_after | NULL
);

-- Warehouses made before the capture columns existed get them (NULL: captured when fetched).
ALTER TABLE raw.hssib_recommendations__recommendations ADD COLUMN IF NOT EXISTS captured_on DATE;
ALTER TABLE raw.hssib_recommendations__recommendations
    ADD COLUMN IF NOT EXISTS capture_date_basis VARCHAR;
