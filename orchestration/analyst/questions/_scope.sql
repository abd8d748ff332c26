-- The report scope, shared verbatim by every scoped question (tests check the copies match).
-- Filters are DuckDB session variables; an unset variable means "no filter":
--   SET VARIABLE org_types = ['nhs_mental_health_trust'];   -- controlled organisation types
--   SET VARIABLE org_keys = ['ods:RXT'];                      -- organisations (and predecessors)
--   SET VARIABLE area_key = 'birmingham-and-solihull';        -- current or historic area key
--   SET VARIABLE since = DATE '2020-01-01';                   -- report date (publication date
--   SET VARIABLE until = DATE '2024-12-31';                   --   when the report date is unknown)
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
