-- One row per published response document, with the recipient organisation it was matched to
-- (or none), the match method and confidence, and its publication month (the upload folder).
-- On a report whose header and text name no organisation at all, the organisation a response
-- names in its file name is taken as a recipient (match_method responder_as_recipient,
-- int_responders_as_recipients): a body that answered a report was sent it.

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

responders as (

    select * from {{ ref('int_responders_as_recipients') }}

),

attributed as (

    select
        responses.*,
        responses.organisation_key is null and responders.organisation_key is not null
            as is_responder_as_recipient,
        responders.organisation_key as responder_organisation_key,
        responders.responder_confidence
    from responses
    left join responders
        on
            responses.document_url = responders.document_url
            and responses.report_url = responders.report_url

),

final as (

    select
        attributed.document_url,
        attributed.report_url,
        attributed.file_name,
        attributed.response_organisation_text,
        attributed.file_name_organisation_key,
        case
            when attributed.is_responder_as_recipient then attributed.responder_organisation_key
            else attributed.organisation_key
        end as organisation_key,
        case
            when attributed.is_responder_as_recipient then 'responder_as_recipient'
            else attributed.match_method
        end as match_method,
        case
            when attributed.is_responder_as_recipient then attributed.responder_confidence
            else attributed.match_confidence
        end as match_confidence,
        case
            when attributed.is_responder_as_recipient then 'responder_as_recipient'
            else attributed.match_rule
        end as match_rule,
        attributed.organisation_key is not null or attributed.is_responder_as_recipient as is_matched,
        attributed.is_responder_as_recipient,
        attributed.upload_year,
        attributed.upload_month,
        -- the upload folder gives the month only; a response cannot precede its report
        case
            when attributed.upload_month_start is not null
                then greatest(
                    attributed.upload_month_start,
                    coalesce(reports.report_date, attributed.upload_month_start)
                )
        end as published_on_estimate,
        -- the last day it can have been published: the end of the upload month
        case
            when attributed.upload_month_start is not null
                then cast(last_day(attributed.upload_month_start) as date)
        end as published_on_latest,
        'month' as published_on_precision,
        attributed.upload_month_start <= {{ as_of_date() }} as is_published_as_of
    from attributed
    left join reports on attributed.report_url = reports.report_url

)

select * from final
