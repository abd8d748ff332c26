-- Question 9 (detail): per theme, the newest reports in scope with that theme, each with the
-- sentence of its evidence (from the coroner's concerns where the theme is found there), ranked
-- newest first per theme (theme_rank); the report shows the first five of each theme.
-- evidence_text is the report's own words and can name the deceased: the report masks the
-- names unless --with-names.
-- Filters: see _scope.sql (session variables org_types, org_keys, area_key, since, until,
-- recipient_sources, as_named).
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

-- Each recipient with the organisation its figures are shown under: by default the body that
-- answers for it now (former names rolled up), with as_named = true the organisation as named
-- on the report at the time.
recipients_as_shown as (
    select
        recipients.*,
        scoped_reports.report_year,
        scoped_reports.current_coroner_area_key,
        if(
            coalesce(getvariable('as_named')::boolean, false),
            recipients.organisation_key,
            coalesce(recipients.current_organisation_key, recipients.organisation_key)
        ) as shown_organisation_key,
        if(
            coalesce(getvariable('as_named')::boolean, false),
            recipients.organisation_name,
            coalesce(recipients.current_organisation_name, recipients.organisation_name)
        ) as shown_organisation_name,
        if(
            coalesce(getvariable('as_named')::boolean, false),
            recipients.organisation_type,
            coalesce(recipients.current_organisation_type, recipients.organisation_type)
        ) as shown_organisation_type
    from main.fct_report_recipients as recipients
    inner join scoped_reports on recipients.report_url = scoped_reports.report_url
),

-- org_types filters the type shown (the current organisation's by default); org_keys keeps an
-- organisation and every former name that rolls up to it; recipient_sources keeps recipients
-- taken from the page header, the report's text or the organisations that answered.
scoped_recipients as (
    select recipients_as_shown.*
    from recipients_as_shown
    where
        (
            getvariable('org_types') is null
            or list_contains(getvariable('org_types'), recipients_as_shown.shown_organisation_type)
        )
        and (
            getvariable('org_keys') is null
            or list_contains(getvariable('org_keys'), recipients_as_shown.organisation_key)
            or list_contains(getvariable('org_keys'), recipients_as_shown.current_organisation_key)
        )
        and (
            getvariable('recipient_sources') is null
            or list_contains(getvariable('recipient_sources'), recipients_as_shown.recipient_source)
        )
),

-- One row per report and organisation as shown: two former names of one trust on one report
-- count once, as answered when either answered (the other statuses are the report's own:
-- due date, capture and unmatched documents). Days to respond stay NULL when the earliest
-- answer came in the report's own month (the range includes 0).
report_organisations as (
    select
        scoped_recipients.report_url,
        scoped_recipients.shown_organisation_key as organisation_key,
        min(scoped_recipients.shown_organisation_name) as organisation_name,
        min(scoped_recipients.shown_organisation_type) as organisation_type,
        min(scoped_recipients.report_year) as report_year,
        min(scoped_recipients.first_recipient_position) as first_recipient_position,
        min(scoped_recipients.recipient_source) as recipient_source,
        list(
            distinct scoped_recipients.organisation_name
            order by scoped_recipients.organisation_name
        ) filter (
            where scoped_recipients.organisation_key <> scoped_recipients.shown_organisation_key
        ) as former_names,
        if(
            bool_or(scoped_recipients.response_status = 'responded'),
            'responded',
            min(scoped_recipients.response_status)
        ) as response_status,
        if(
            bool_or(
                scoped_recipients.response_status = 'responded'
                and scoped_recipients.days_to_respond is null
                and scoped_recipients.days_to_respond_low is not null
            ),
            null,
            min(scoped_recipients.days_to_respond)
                filter (where scoped_recipients.response_status = 'responded')
        ) as days_to_respond
    from scoped_recipients
    group by scoped_recipients.report_url, scoped_recipients.shown_organisation_key
),

-- With an organisation or recipient-source filter, a report is in scope when it went to a
-- recipient in scope.
reports_in_scope as (
    select scoped_reports.*
    from scoped_reports
    where
        (
            getvariable('org_types') is null
            and getvariable('org_keys') is null
            and getvariable('recipient_sources') is null
        )
        or scoped_reports.report_url in (select scoped_recipients.report_url from scoped_recipients)
)
-- scope:end
, ranked as (
    select
        bridge.theme_id,
        reports_in_scope.report_url,
        reports_in_scope.ref,
        coalesce(reports_in_scope.report_date, reports_in_scope.published_date) as report_date,
        reports_in_scope.current_coroner_area,
        bridge.section_key,
        bridge.evidence_text,
        row_number() over (
            partition by bridge.theme_id
            order by
                coalesce(
                    reports_in_scope.report_date, reports_in_scope.published_date
                ) desc nulls last,
                reports_in_scope.report_url
        ) as theme_rank
    from main.bridge_report_themes as bridge
    inner join reports_in_scope on bridge.report_url = reports_in_scope.report_url
)

select
    ranked.theme_id,
    ranked.theme_rank,
    ranked.report_url,
    ranked.ref,
    ranked.report_date,
    ranked.current_coroner_area,
    ranked.section_key,
    ranked.evidence_text
from ranked
order by ranked.theme_id, ranked.theme_rank
