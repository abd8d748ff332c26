-- Raw landing tables for the judiciary_pfd source (and crawl bookkeeping shared by all spiders).
-- Created idempotently by orchestration.raw_load. JSON columns hold lists/objects from the items
-- exactly as the spider produced them. Timestamps are UTC crawl times; *_on dates are the crawl's
-- logical date (the snapshot's as-of date, or today for a live crawl) used for revisit scheduling.

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

-- Latest observation per report page (natural key: canonical URL) and its history markers.
CREATE TABLE IF NOT EXISTS raw.judiciary_pfd__reports (
    report_url          VARCHAR PRIMARY KEY,
    page_title          VARCHAR,
    date_added_raw      VARCHAR,
    date_added_text     VARCHAR,
    date_of_report_raw  VARCHAR,
    ref_raw             VARCHAR,
    deceased_name_raw   VARCHAR,
    coroner_name_raw    VARCHAR,
    coroner_area_raw    VARCHAR,
    category_raw        VARCHAR,
    sent_to_raw         VARCHAR,
    header_labels       JSON,
    category_pills      JSON,
    report_sections     JSON,
    parse_warnings      JSON,
    content_hash        VARCHAR NOT NULL,
    http_etag           VARCHAR,
    http_last_modified  VARCHAR,
    listing_page        INTEGER,
    first_seen_at       TIMESTAMP NOT NULL,  -- first crawl that fetched the page
    last_seen_at        TIMESTAMP NOT NULL,  -- last crawl that fetched it (200 or 304)
    last_changed_at     TIMESTAMP NOT NULL,  -- last crawl whose content hash differed
    first_seen_run_id   VARCHAR NOT NULL,
    last_seen_run_id    VARCHAR NOT NULL,
    first_seen_on       DATE NOT NULL,       -- logical dates of the same events
    last_fetched_on     DATE NOT NULL
);

-- Every distinct version of a report page (content hash), with the full observation.
CREATE TABLE IF NOT EXISTS raw.judiciary_pfd__report_versions (
    report_url      VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL,
    first_seen_at   TIMESTAMP NOT NULL,
    last_seen_at    TIMESTAMP NOT NULL,
    first_seen_run_id VARCHAR NOT NULL,
    last_seen_run_id  VARCHAR NOT NULL,
    item            JSON NOT NULL,
    PRIMARY KEY (report_url, content_hash)
);

-- Every document link seen on a report page, with when it was first and last seen.
CREATE TABLE IF NOT EXISTS raw.judiciary_pfd__documents (
    report_url        VARCHAR NOT NULL,
    document_url      VARCHAR NOT NULL,
    link_text         VARCHAR,
    file_name         VARCHAR,
    upload_year       INTEGER,
    upload_month      INTEGER,
    kind              VARCHAR NOT NULL,      -- report | response | other
    position          INTEGER,
    link_source       VARCHAR,               -- file_button | related
    is_current        BOOLEAN NOT NULL,      -- present on the latest observation of the page
    first_seen_at     TIMESTAMP NOT NULL,
    last_seen_at      TIMESTAMP NOT NULL,
    first_seen_run_id VARCHAR NOT NULL,
    last_seen_run_id  VARCHAR NOT NULL,
    first_seen_on     DATE NOT NULL,
    PRIMARY KEY (report_url, document_url)
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
