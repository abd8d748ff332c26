-- One row per published response document, with the recipient organisation it was matched to
-- (or none), the match method and confidence, and its publication month (the upload folder).

with

responses as (

    select * from {{ ref('int_responses_matched') }}

),

reports as (

    select
        report_url,
        report_date
    from {{ ref('stg_judiciary_pfd__reports') }}

),

final as (

    select
        responses.document_url,
        responses.report_url,
        responses.file_name,
        responses.response_organisation_text,
        responses.file_name_organisation_key,
        responses.organisation_key,
        responses.match_method,
        responses.match_confidence,
        responses.organisation_key is not null as is_matched,
        responses.upload_year,
        responses.upload_month,
        -- the upload folder gives the month only; a response cannot precede its report
        case
            when responses.upload_month_start is not null
                then greatest(responses.upload_month_start, coalesce(reports.report_date, responses.upload_month_start))
        end as published_on_estimate,
        responses.upload_month_start <= {{ as_of_date() }} as is_published_as_of
    from responses
    left join reports on responses.report_url = reports.report_url

)

select * from final
