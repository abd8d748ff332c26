-- A report is completed only when every recipient responded, and has no named recipient only
-- when fct_report_recipients holds no row for it.
-- Reads several models; its Dagster asset check belongs to the one it is about.
{{ config(meta={'dagster': {'ref': {'name': 'fct_reports'}}}) }}

select
    reports.report_url,
    reports.report_status,
    reports.recipient_count,
    reports.responded_recipient_count
from {{ ref('fct_reports') }} as reports
where (
    reports.report_status = 'completed'
    and reports.responded_recipient_count <> reports.recipient_count
)
or (reports.report_status = 'no_named_recipient' and reports.recipient_count <> 0)
or (reports.recipient_count <> (
    select count(*) from {{ ref('fct_report_recipients') }} as recipients
    where recipients.report_url = reports.report_url
))
