-- Question 6: trends over time: reports per month (by date of report, else date published), in
-- all, by category (judiciary.uk report type) and by recipient organisation type. A report with
-- several categories or recipient types counts once in each; "(none)" is a report with none.
-- Long format: one row per month, breakdown and value.
-- Filters: see _scope.sql (session variables org_types, org_keys, area_key, since, until).
-- scope:begin
with scoped_reports as (
    select reports.*
    from main.fct_reports as reports
    where
        (
            getvariable('since') is null
            or coalesce(reports.report_date, reports.published_date) >= getvariable('since')
        )
        and (
            getvariable('until') is null
            or coalesce(reports.report_date, reports.published_date) <= getvariable('until')
        )
        and (
            getvariable('area_key') is null
            or reports.current_coroner_area_key = getvariable('area_key')
            or reports.coroner_area_key = getvariable('area_key')
        )
),

scoped_recipients as (
    select
        recipients.*,
        scoped_reports.report_year,
        scoped_reports.current_coroner_area_key
    from main.fct_report_recipients as recipients
    inner join scoped_reports on recipients.report_url = scoped_reports.report_url
    left join main.dim_organisations as organisations
        on recipients.organisation_key = organisations.organisation_key
    where
        (
            getvariable('org_types') is null
            or list_contains(getvariable('org_types'), recipients.organisation_type)
        )
        and (
            getvariable('org_keys') is null
            or list_contains(getvariable('org_keys'), recipients.organisation_key)
            or list_contains(getvariable('org_keys'), organisations.successor_organisation_key)
        )
),

-- With an organisation filter, a report is in scope when it went to an organisation in scope.
reports_in_scope as (
    select scoped_reports.*
    from scoped_reports
    where
        (getvariable('org_types') is null and getvariable('org_keys') is null)
        or scoped_reports.report_url in (select scoped_recipients.report_url from scoped_recipients)
)
-- scope:end
-- (more common table expressions follow the shared scope block)
, report_months as (
    select
        report_url,
        date_trunc('month', coalesce(report_date, published_date))::date as report_month
    from reports_in_scope
    where coalesce(report_date, published_date) is not null
),

by_category as (
    select
        report_months.report_month,
        coalesce(categories.report_type_name, '(none)') as breakdown_value,
        report_months.report_url
    from report_months
    left join main.bridge_report_categories as categories
        on report_months.report_url = categories.report_url
),

by_recipient_type as (
    select
        report_months.report_month,
        coalesce(recipients.organisation_type, '(none)') as breakdown_value,
        report_months.report_url
    from report_months
    left join main.fct_report_recipients as recipients
        on report_months.report_url = recipients.report_url
)

select
    report_month,
    'all' as breakdown,
    'all reports' as breakdown_value,
    count(distinct report_url) as reports
from report_months
group by report_month
union all
select
    report_month,
    'category' as breakdown,
    breakdown_value,
    count(distinct report_url) as reports
from by_category
group by report_month, breakdown_value
union all
select
    report_month,
    'recipient_type' as breakdown,
    breakdown_value,
    count(distinct report_url) as reports
from by_recipient_type
group by report_month, breakdown_value
order by report_month, breakdown, breakdown_value
