-- One row per published report: dates and publication lag, ref year and sequence, coroner area
-- and coroner, number of deceased, recipients and responses, and the report's response status
-- as of the as_of variable.

with

reports as (

    select * from {{ ref('stg_judiciary_pfd__reports') }}
    where published_date is null or published_date <= {{ as_of_date() }}

),

areas as (

    select * from {{ ref('int_coroner_areas_resolved') }}

),

coroners as (

    select
        report_url,
        coroner_key
    from {{ ref('int_coroners_normalised') }}

),

recipient_pieces as (

    select
        report_url,
        count(*) as recipient_piece_count,
        count(*) filter (where organisation_key is null) as unresolved_piece_count
    from {{ ref('int_recipients_resolved') }}
    group by report_url

),

report_recipients as (

    select
        report_url,
        count(*) as recipient_count,
        count(*) filter (where response_status = 'responded') as responded_recipient_count,
        count(*) filter (where response_status = 'overdue') as overdue_recipient_count,
        count(*) filter (where response_status = 'pending') as pending_recipient_count
    from {{ ref('fct_report_recipients') }}
    group by report_url

),

responses as (

    select
        report_url,
        count(*) as response_count,
        count(*) filter (where is_matched) as matched_response_count
    from {{ ref('fct_responses') }}
    where is_published_as_of
    group by report_url

),

deceased as (

    select
        report_url,
        count(*) as deceased_count
    from {{ ref('dim_deceased') }}
    group by report_url

),

final as (

    select
        reports.report_url,
        reports.ref_normalised as ref,
        reports.ref_raw,
        reports.ref_year,
        reports.ref_sequence,
        reports.ref_status,
        reports.is_ref_valid,
        reports.report_date,
        reports.date_of_report_raw,
        reports.report_date_status,
        reports.has_report_date,
        reports.is_report_date_before_regulations,
        reports.is_report_date_after_publication,
        reports.published_date,
        reports.publication_lag_days,
        year(coalesce(reports.report_date, reports.published_date)) as report_year,
        cast(reports.report_date + to_days({{ var('response_window_days') }}) as date) as due_date,
        reports.coroner_area_raw,
        {{ slugify('areas.coroner_area') }} as coroner_area_key,
        areas.coroner_area,
        {{ slugify('areas.current_coroner_area') }} as current_coroner_area_key,
        areas.current_coroner_area,
        coroners.coroner_key,
        reports.coroner_name_text as coroner_name,
        coalesce(deceased.deceased_count, 0) as deceased_count,
        coalesce(recipient_pieces.recipient_piece_count, 0) as recipient_piece_count,
        coalesce(recipient_pieces.unresolved_piece_count, 0) as unresolved_recipient_piece_count,
        coalesce(report_recipients.recipient_count, 0) as recipient_count,
        coalesce(report_recipients.responded_recipient_count, 0) as responded_recipient_count,
        coalesce(report_recipients.overdue_recipient_count, 0) as overdue_recipient_count,
        coalesce(responses.response_count, 0) as response_count,
        coalesce(responses.matched_response_count, 0) as matched_response_count,
        (reports.report_date is null)::int + (reports.ref_normalised is null)::int
        + (reports.deceased_name_text is null)::int + (reports.coroner_name_text is null)::int
        + (
            reports.coroner_area_text is null)::int + (
            reports.category_raw is null
            or trim(reports.category_raw) = ''
        )::int
        + (reports.sent_to_text is null)::int as missing_header_field_count,
        case
            when coalesce(report_recipients.recipient_count, 0) = 0 then 'no_named_recipient'
            when report_recipients.responded_recipient_count = report_recipients.recipient_count
                then 'completed'
            when report_recipients.responded_recipient_count > 0 then 'partial'
            when report_recipients.overdue_recipient_count > 0 then 'overdue'
            else 'pending'
        end as report_status,
        {{ as_of_date() }} as as_of_date
    from reports
    left join areas on reports.coroner_area_raw is not distinct from areas.coroner_area_raw
    left join coroners on reports.report_url = coroners.report_url
    left join deceased on reports.report_url = deceased.report_url
    left join recipient_pieces on reports.report_url = recipient_pieces.report_url
    left join report_recipients on reports.report_url = report_recipients.report_url
    left join responses on reports.report_url = responses.report_url

)

select * from final
