-- Per return row: what the organisation or coroner area says it received (or issued) in a
-- period against what judiciary.uk published for it in the same period, the difference and its
-- direction, and the refs behind the published count so an auditor can check them one by one.
-- Published basis: reports whose date of report falls in the period; for an organisation, those
-- naming it among the recipients listed on the page (addressees); for a coroner area, those whose
-- area is the area itself (or, for a current area, any predecessor that merged into it).
-- Only the current version of each file (int_returns_file_versions: the latest one whose names
-- all resolve); a held-out version is listed in audit_returns_unresolved instead.

with

current_versions as (

    select file_sha256 from {{ ref('int_returns_file_versions') }}
    where is_current

),

returns as (

    select * from {{ ref('int_returns_resolved') }}
    where file_sha256 in (select current_versions.file_sha256 from current_versions)

),

organisations as (

    select * from {{ ref('dim_organisations') }}

),

areas as (

    select * from {{ ref('dim_coroner_areas') }}

),

report_recipients as (

    select * from {{ ref('fct_report_recipients') }}

),

reports as (

    select * from {{ ref('fct_reports') }}

),

published_to_organisations as (

    select
        returns.return_row_id,
        reports.report_url,
        coalesce(reports.ref, nullif(trim(reports.ref_raw), ''), reports.report_url) as ref_label,
        reports.report_date
    from returns
    inner join report_recipients
        on
            returns.organisation_key = report_recipients.organisation_key
            and report_recipients.report_date between returns.period_start and returns.period_end
    inner join reports on report_recipients.report_url = reports.report_url
    where returns.return_kind = 'organisation'

),

published_by_areas as (

    select
        returns.return_row_id,
        reports.report_url,
        coalesce(reports.ref, nullif(trim(reports.ref_raw), ''), reports.report_url) as ref_label,
        reports.report_date
    from returns
    inner join areas on returns.coroner_area_key = areas.coroner_area_key
    inner join reports
        on
            reports.report_date between returns.period_start and returns.period_end
            and (
                (areas.is_current and areas.coroner_area_key = reports.current_coroner_area_key)
                or (not areas.is_current and areas.coroner_area_key = reports.coroner_area_key)
            )
    where returns.return_kind = 'coroner_area'

),

published_reports as (

    select * from published_to_organisations
    union all
    select * from published_by_areas

),

published as (

    select
        return_row_id,
        count(distinct report_url) as published_count,
        list(distinct ref_label order by ref_label) as published_refs,
        list(distinct report_url order by report_url) as published_report_urls
    from published_reports
    group by return_row_id

),

final as (

    select
        returns.return_row_id,
        returns.file_name,
        returns.file_sha256,
        returns.row_number,
        returns.return_kind,
        returns.organisation_name as name_as_written,
        returns.organisation_kind,
        case
            when returns.return_kind = 'coroner_area' then returns.coroner_area_key
            else returns.organisation_key
        end as resolved_key,
        case
            when returns.return_kind = 'coroner_area' then areas.coroner_area
            else organisations.canonical_name
        end as resolved_name,
        case
            when returns.return_kind = 'coroner_area' then 'coroner_area'
            else organisations.organisation_type
        end as organisation_type,
        returns.resolution_method,
        returns.is_resolved,
        returns.period_start,
        returns.period_end,
        returns.outcome,
        returns.outcome_category,
        returns.exemption,
        returns.counting_basis,
        returns.is_restricted_count,
        returns.reports_received as reported_count,
        case when returns.is_resolved then coalesce(published.published_count, 0) end
            as published_count,
        case
            when returns.is_resolved
                then returns.reports_received - coalesce(published.published_count, 0)
        end as difference,
        case
            when not returns.is_resolved then 'unresolved name'
            when returns.reports_received is null then 'no count: ' || replace(returns.outcome_category, '_', ' ')
            when returns.reports_received > coalesce(published.published_count, 0)
                then 'reported but not published'
            when returns.reports_received < coalesce(published.published_count, 0)
                then 'published but not reported'
            else 'agrees'
        end as direction,
        case
            when returns.return_kind = 'coroner_area'
                then
                    'reports dated within the period (date of report) from this coroner area'
                    || ' (a current area includes its merged predecessors)'
            else
                'reports dated within the period (date of report) naming the organisation'
                || ' among the recipients listed on the page (addressees)'
        end as published_count_basis,
        coalesce(published.published_refs, []) as published_refs,
        array_to_string(coalesce(published.published_refs, []), ', ') as published_refs_text,
        coalesce(published.published_report_urls, []) as published_report_urls,
        returns.source_kind,
        returns.source_reference,
        returns.source_url,
        returns.note,
        returns.loaded_at,
        {{ as_of_date() }} as as_of_date
    from returns
    left join published on returns.return_row_id = published.return_row_id
    left join organisations on returns.organisation_key = organisations.organisation_key
    left join areas on returns.coroner_area_key = areas.coroner_area_key

)

select * from final
