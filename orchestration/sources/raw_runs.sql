-- Crawl bookkeeping every spider's raw load writes: runs, errors, skipped pages.
-- Created idempotently by orchestration.sources.raw_runs.ensure_bookkeeping_schema.

CREATE SCHEMA IF NOT EXISTS raw;

-- One row per crawl run that reached the warehouse.
CREATE TABLE IF NOT EXISTS raw.crawl_runs (
    run_id            VARCHAR PRIMARY KEY,
    spider            VARCHAR NOT NULL,     -- spider slug, e.g. judiciary_pfd
    mode              VARCHAR NOT NULL,     -- full | incremental
    source            VARCHAR NOT NULL,     -- snapshot | live
    base_url          VARCHAR NOT NULL,     -- the origin actually crawled
    as_of             DATE,                 -- snapshot as-of date, NULL for live
    logical_date      DATE NOT NULL,        -- as_of, or the crawl date for live
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP NOT NULL,
    requests          INTEGER,              -- downloader requests, retries included
    pages_fetched     INTEGER,              -- responses received (any status)
    listing_pages     INTEGER,
    report_pages      INTEGER,
    not_modified      INTEGER,
    reports_parsed    INTEGER,
    new_reports       INTEGER,              -- report URLs not in the warehouse before this load
    errors            INTEGER,
    skipped           INTEGER,
    stats             JSON,                 -- the Scrapy stats at close
    loaded_at         TIMESTAMP NOT NULL
);

-- Pages that could not be fetched or parsed, per run.
CREATE TABLE IF NOT EXISTS raw.crawl_errors (
    run_id      VARCHAR NOT NULL,
    spider      VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    http_status INTEGER,
    attempts    INTEGER,
    crawled_at  TIMESTAMP
);

-- Pages deliberately not loaded, per run, with the reason.
CREATE TABLE IF NOT EXISTS raw.skipped_pages (
    run_id     VARCHAR NOT NULL,
    spider     VARCHAR NOT NULL,
    url        VARCHAR NOT NULL,
    reason     VARCHAR NOT NULL,
    crawled_at TIMESTAMP
);
