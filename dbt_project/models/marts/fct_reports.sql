-- One row per published report: dates and publication lag, ref year and sequence, coroner area
-- and coroner, number of deceased, recipients and responses, whether the report's own words
-- were read, what the capture can tell, and the report's response status as of the as_of
-- variable (completed / partial / overdue / possibly_answered / unknown / pending /
-- no_named_recipient: the recipient statuses in fct_report_recipients, rolled up).

with

reports as (

    select * from {{ ref('stg_judiciary_pfd__reports') }}
    where published_date is null or published_date <= {{ as_of_date() }}

),

areas as (

    select * from {{ ref('int_report_coroner_areas') }}

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
        count(*) filter (where response_status = 'pending') as pending_recipient_count,
        count(*) filter (where response_status = 'possibly_answered') as possibly_answered_recipient_count,
        count(*) filter (where is_status_unknown) as unknown_recipient_count,
        min(recipient_source) as recipient_source,
        any_value(due_date_source order by due_date_source) as due_date_source,
        min(due_date) as due_date
    from {{ ref('fct_report_recipients') }}
    group by report_url

),

texts as (

    select * from {{ ref('stg_judiciary_pfd__report_texts') }}

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
        coalesce(
            report_recipients.due_date,
            cast(reports.report_date + to_days({{ var('response_window_days') }}) as date)
        ) as due_date,
        coalesce(
            report_recipients.due_date_source,
            case when reports.report_date is not null then 'report_date_plus_56' end
        ) as due_date_source,
        texts.stated_response_due_date,
        coalesce(texts.has_report_text, false) as has_report_text,
        texts.text_source,
        reports.captured_on,
        reports.capture_kind,
        report_recipients.recipient_source,
        reports.coroner_area_raw,
        areas.coroner_area_key,
        areas.coroner_area,
        areas.current_coroner_area_key,
        areas.current_coroner_area,
        areas.area_resolution_method,
        areas.area_resolution_confidence,
        coroners.coroner_key,
        reports.coroner_name_text as coroner_name,
        coalesce(deceased.deceased_count, 0) as deceased_count,
        coalesce(recipient_pieces.recipient_piece_count, 0) as recipient_piece_count,
        coalesce(recipient_pieces.unresolved_piece_count, 0) as unresolved_recipient_piece_count,
        coalesce(report_recipients.recipient_count, 0) as recipient_count,
        coalesce(report_recipients.responded_recipient_count, 0) as responded_recipient_count,
        coalesce(report_recipients.overdue_recipient_count, 0) as overdue_recipient_count,
        coalesce(report_recipients.possibly_answered_recipient_count, 0)
            as possibly_answered_recipient_count,
        coalesce(report_recipients.unknown_recipient_count, 0) as unknown_recipient_count,
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
            when report_recipients.possibly_answered_recipient_count > 0 then 'possibly_answered'
            when report_recipients.unknown_recipient_count > 0 then 'unknown'
            else 'pending'
        end as report_status,
        {{ as_of_date() }} as as_of_date
    from reports
    left join areas on reports.report_url = areas.report_url
    left join coroners on reports.report_url = coroners.report_url
    left join deceased on reports.report_url = deceased.report_url
    left join recipient_pieces on reports.report_url = recipient_pieces.report_url
    left join report_recipients on reports.report_url = report_recipients.report_url
    left join responses on reports.report_url = responses.report_url
    left join texts on reports.report_url = texts.report_url

)

select * from final
