-- One row per organisation, period asked about and report: both ways between what an
-- organisation says it received (report-level FOI answers, current file versions) and what
-- judiciary.uk publishes as addressed to it. The universe of one organisation and period: the
-- published reports naming it (current organisation) among their recipients and dated in the
-- period, plus every line of its answers. Findings:
--   matched                 a line says received and matches a published report;
--   published_not_located   published and addressed to it, and it said "not located" or did
--                           not list it;
--   received_not_published  a line (received) matching no published report;
--   copy_only               a line "received as copy", matched or not.
-- Several lines matching one report give one row (the best match; line_count says how many).
-- Names of the deceased are never here: the report is named by its URL and ref.

with

lines as (

    select * from {{ ref('int_foi_report_lines_matched') }}
    where is_resolved

),

organisations as (

    select * from {{ ref('dim_organisations') }}

),

recipients as (

    select * from {{ ref('fct_report_recipients') }}

),

reports as (

    select * from {{ ref('fct_reports') }}

),

keyed_lines as (

    select
        lines.*,
        coalesce(organisations.current_organisation_key, lines.organisation_key)
            as current_organisation_key,
        coalesce(
            organisations.current_organisation_name,
            organisations.canonical_name,
            lines.organisation_name
        ) as current_organisation_name
    from lines
    left join organisations on lines.organisation_key = organisations.organisation_key

),

periods as (

    select distinct
        current_organisation_key,
        current_organisation_name,
        period_start,
        period_end
    from keyed_lines

),

published as (

    select distinct
        periods.current_organisation_key,
        periods.period_start,
        periods.period_end,
        recipients.report_url
    from periods
    inner join recipients
        on
            periods.current_organisation_key = recipients.current_organisation_key
            and recipients.report_date between periods.period_start and periods.period_end

),

line_rows as (

    select
        *,
        count(*) over (
            partition by current_organisation_key, period_start, period_end, report_url
        ) as line_count,
        row_number() over (
            partition by current_organisation_key, period_start, period_end, report_url
            order by
                case match_confidence when 'high' then 1 when 'medium' then 2 else 3 end,
                case answer when 'received' then 1 when 'received as copy' then 2 else 3 end,
                file_name, sheet, row_number
        ) as line_rank
    from keyed_lines

),

answered as (

    select
        current_organisation_key,
        current_organisation_name,
        period_start,
        period_end,
        request_reference,
        case
            when answer = 'received as copy' then 'copy_only'
            when answer = 'not located' then 'published_not_located'
            when report_url is null then 'received_not_published'
            else 'matched'
        end as finding,
        report_url,
        ref as line_ref,
        report_date as line_report_date,
        coroner_area as line_coroner_area,
        answer_as_written as answer,
        is_listed,
        match_method,
        match_confidence,
        case when report_url is null then 1 else line_count end as line_count,
        file_name,
        file_sha256,
        sheet,
        row_number
    from line_rows
    where report_url is null or line_rank = 1

),

not_listed as (

    select
        published.current_organisation_key,
        periods.current_organisation_name,
        published.period_start,
        published.period_end,
        cast(null as varchar) as request_reference,
        'published_not_located' as finding,
        published.report_url,
        cast(null as varchar) as line_ref,
        cast(null as date) as line_report_date,
        cast(null as varchar) as line_coroner_area,
        cast(null as varchar) as answer,
        cast(null as boolean) as is_listed,
        cast(null as varchar) as match_method,
        cast(null as varchar) as match_confidence,
        0 as line_count,
        cast(null as varchar) as file_name,
        cast(null as varchar) as file_sha256,
        cast(null as varchar) as sheet,
        cast(null as integer) as row_number
    from published
    inner join periods
        on
            published.current_organisation_key = periods.current_organisation_key
            and published.period_start = periods.period_start
            and published.period_end = periods.period_end
    where not exists (
        select 1
        from answered
        where
            answered.current_organisation_key = published.current_organisation_key
            and answered.period_start = published.period_start
            and answered.period_end = published.period_end
            and answered.report_url = published.report_url
    )

),

findings as (

    select * from answered
    union all
    select * from not_listed

),

final as (

    select
        md5(
            findings.current_organisation_key || ':' || findings.period_start || ':'
            || findings.period_end || ':'
            || coalesce(
                findings.report_url,
                findings.file_sha256 || ':' || findings.sheet || ':' || findings.row_number
            )
        ) as reconciliation_key,
        findings.current_organisation_key as organisation_key,
        findings.current_organisation_name as organisation_name,
        findings.period_start,
        findings.period_end,
        findings.request_reference,
        findings.finding,
        findings.report_url,
        coalesce(reports.ref, findings.line_ref) as ref,
        coalesce(reports.report_date, findings.line_report_date) as report_date,
        coalesce(reports.coroner_area, findings.line_coroner_area) as coroner_area,
        findings.report_url is not null and exists (
            select 1
            from published
            where
                published.current_organisation_key = findings.current_organisation_key
                and published.period_start = findings.period_start
                and published.period_end = findings.period_end
                and published.report_url = findings.report_url
        ) as is_addressed_to_organisation,
        findings.answer,
        findings.is_listed,
        findings.match_method,
        findings.match_confidence,
        findings.line_count,
        findings.file_name,
        findings.file_sha256,
        findings.sheet,
        findings.row_number,
        {{ as_of_date() }} as as_of_date
    from findings
    left join reports on findings.report_url = reports.report_url

)

select * from final
