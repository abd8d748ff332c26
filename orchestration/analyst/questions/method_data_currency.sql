-- Method: how current the data is. The latest crawl of judiciary.uk loaded into the warehouse
-- (snapshot = the offline copy, live = the website) and the date statuses are computed as of.
select
    runs.run_id,
    runs.source,
    runs.mode,
    runs.base_url,
    runs.as_of as snapshot_as_of,
    runs.logical_date,
    runs.finished_at,
    (select max(as_of_date) from main.fct_reports) as statuses_as_of,
    (select max(published_date) from main.fct_reports) as latest_report_published,
    (select count(*) from raw.crawl_runs where spider = 'judiciary_pfd') as crawl_runs_loaded
from raw.crawl_runs as runs
where runs.spider = 'judiciary_pfd'
order by runs.finished_at desc
limit 1
