-- Question 6: reports per year in scope, with responses published and overdue per year. A year
-- is partial when the data (as_of date, or the --until date) ends before 31 December or the
-- --since date starts after 1 January.
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
, years as (
    select
        report_year,
        count(*) as reports_sent
    from reports_in_scope
    group by report_year
),

pairs as (
    select
        report_year,
        count(*) as report_recipient_pairs,
        count(*) filter (where response_status = 'responded') as responses_published,
        count(*) filter (where response_status = 'overdue') as overdue
    from scoped_recipients
    group by report_year
)

select
    years.report_year,
    years.reports_sent,
    coalesce(pairs.report_recipient_pairs, 0) as report_recipient_pairs,
    coalesce(pairs.responses_published, 0) as responses_published,
    coalesce(pairs.overdue, 0) as overdue,
    (
        make_date(years.report_year, 12, 31) > least(
            (select max(as_of_date) from main.fct_reports),
            coalesce(getvariable('until')::date, date '9999-12-31')
        )
        or make_date(years.report_year, 1, 1) < coalesce(getvariable('since')::date, date '0001-01-01')
    ) as is_partial
from years
left join pairs on years.report_year = pairs.report_year
order by years.report_year
