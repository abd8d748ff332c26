-- An organisation named twice in one report (two pieces, or a name and an alias) counts once:
-- compliance totals must equal the distinct reports in fct_report_recipients.
-- Reads several models; its Dagster asset check belongs to the one it is about.
{{ config(meta={'dagster': {'ref': {'name': 'audit_organisation_compliance'}}}) }}

with

totals as (

    select
        organisation_key,
        sum(reports_received) as reports_received
    from {{ ref('audit_organisation_compliance') }}
    group by organisation_key

),

distinct_reports as (

    select
        organisation_key,
        count(distinct report_url) as reports
    from {{ ref('fct_report_recipients') }}
    group by organisation_key

)

select
    totals.organisation_key,
    totals.reports_received,
    distinct_reports.reports
from totals
inner join distinct_reports using (organisation_key)
where totals.reports_received <> distinct_reports.reports
