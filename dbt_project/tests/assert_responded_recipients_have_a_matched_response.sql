-- "responded" means a matched response document is published as of the as_of date.
-- Reads several models; its Dagster asset check belongs to the one it is about.
{{ config(meta={'dagster': {'ref': {'name': 'fct_report_recipients'}}}) }}

select
    recipients.report_url,
    recipients.organisation_key
from {{ ref('fct_report_recipients') }} as recipients
where
    recipients.response_status = 'responded'
    and not exists (
        select 1
        from {{ ref('fct_responses') }} as responses
        where
            responses.report_url = recipients.report_url
            and responses.organisation_key = recipients.organisation_key
            and responses.is_published_as_of
    )
