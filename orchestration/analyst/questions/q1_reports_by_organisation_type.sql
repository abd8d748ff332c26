-- Question 1: reports sent to each organisation type, per report year (a report sent to two
-- organisations of one type counts once for that type).
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
select
    organisation_type,
    report_year,
    count(distinct report_url) as reports_sent,
    count(distinct organisation_key) as organisations
from scoped_recipients
group by organisation_type, report_year
order by organisation_type, report_year
