-- A response is only ever matched to an organisation the same report was sent to (or, on a
-- report that names no one, to the organisation that answered it: responder_as_recipient).
-- Reads several models; its Dagster asset check belongs to the one it is about.
{{ config(meta={'dagster': {'ref': {'name': 'fct_responses'}}}) }}

select
    responses.document_url,
    responses.organisation_key
from {{ ref('fct_responses') }} as responses
where
    responses.is_matched
    and not responses.is_responder_as_recipient
    and not exists (
        select 1 from {{ ref('int_recipients_resolved') }} as recipients
        where
            recipients.report_url = responses.report_url
            and recipients.organisation_key = responses.organisation_key
    )
