-- Raw landing tables of the judiciary_pfd source (crawl bookkeeping: orchestration/sources/raw_runs.sql).
-- Created idempotently by orchestration.sources.judiciary_pfd.load. JSON columns hold lists/objects
-- from the items exactly as the spider produced them. Timestamps are UTC crawl times; *_on dates are the crawl's
-- logical date (the snapshot's as-of date, or today for a live crawl) used for revisit scheduling.

CREATE SCHEMA IF NOT EXISTS raw;

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
    last_fetched_on     DATE NOT NULL,
    -- which stored copy the page is, as the offline replica states it (page_scrape or
    -- no_document_links, and the day it was captured); NULL on the live site: captured when fetched
    capture_kind        VARCHAR,
    captured_on         DATE
);
-- Warehouses made before the capture columns existed get them (NULL: captured when fetched).
ALTER TABLE raw.judiciary_pfd__reports ADD COLUMN IF NOT EXISTS capture_kind VARCHAR;
ALTER TABLE raw.judiciary_pfd__reports ADD COLUMN IF NOT EXISTS captured_on DATE;

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

-- The report's own words, latest per report: read from the page (inline) or from its report PDF
-- (document_url). A run that did not read a report's text again keeps its row; first/last seen
-- are the crawls that read it (or, for a PDF text, saw the page still link that PDF).
CREATE TABLE IF NOT EXISTS raw.judiciary_pfd__report_texts (
    report_url        VARCHAR PRIMARY KEY,
    text_source       VARCHAR NOT NULL,      -- page | pdf
    document_url      VARCHAR,               -- the PDF read; NULL for page text
    text_status       VARCHAR NOT NULL,      -- sections | no_sections | stand_in | unreadable
    sent_to_text      VARCHAR,               -- the addressee block before section 1
    sections          JSON NOT NULL,         -- [{number, heading, section_key, text}]
    raw_text          VARCHAR,
    page_count        INTEGER,
    parse_warnings    JSON,
    content_hash      VARCHAR NOT NULL,
    first_seen_at     TIMESTAMP NOT NULL,
    last_seen_at      TIMESTAMP NOT NULL,
    first_seen_run_id VARCHAR NOT NULL,
    last_seen_run_id  VARCHAR NOT NULL
);
