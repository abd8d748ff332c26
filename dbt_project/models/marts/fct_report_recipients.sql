-- Report x recipient organisation: due date (report date + 56 days), first published response,
-- days to respond and status as of the as_of variable (responded / pending / overdue).
-- Pieces naming the same organisation twice in one report count once.

with

reports as (

    select * from {{ ref('stg_judiciary_pfd__reports') }}
    where published_date is null or published_date <= {{ as_of_date() }}

),

recipients as (

    select * from {{ ref('int_recipients_resolved') }}
    where organisation_key is not null

),

responses as (

    select * from {{ ref('fct_responses') }}
    where is_matched and is_published_as_of

),

report_organisations as (

    select
        report_url,
        organisation_key,
        any_value(organisation_type) as organisation_type,
        any_value(organisation_name) as organisation_name,
        min(recipient_position) as first_recipient_position,
        string_agg(recipient_raw, ' | ' order by recipient_position) as recipient_raw,
        any_value(resolution_method order by resolution_confidence desc) as resolution_method,
        max(resolution_confidence) as resolution_confidence
    from recipients
    group by report_url, organisation_key

),

first_responses as (

    select
        report_url,
        organisation_key,
        min(published_on_estimate) as first_response_published_on,
        arg_min(document_url, published_on_estimate) as first_response_document_url,
        count(*) as response_count
    from responses
    group by report_url, organisation_key

),

joined as (

    select
        report_organisations.*,
        reports.report_date,
        reports.published_date as report_published_date,
        reports.report_date + to_days({{ var('response_window_days') }}) as due_date,
        -- without a report date the publication date is the best available start of the clock
        coalesce(reports.report_date, reports.published_date) as clock_start_date,
        first_responses.first_response_published_on,
        first_responses.first_response_document_url,
        coalesce(first_responses.response_count, 0) as response_count
    from report_organisations
    inner join reports on report_organisations.report_url = reports.report_url
    left join first_responses
        on
            report_organisations.report_url = first_responses.report_url
            and report_organisations.organisation_key = first_responses.organisation_key

),

final as (

    select
        md5(report_url || '|' || organisation_key) as report_recipient_key,
        report_url,
        organisation_key,
        organisation_name,
        organisation_type,
        first_recipient_position,
        recipient_raw,
        resolution_method,
        resolution_confidence,
        report_date,
        report_published_date,
        cast(due_date as date) as due_date,
        first_response_published_on,
        first_response_document_url,
        response_count,
        date_diff('day', report_date, first_response_published_on) as days_to_respond,
        case
            when response_count > 0 then 'responded'
            when {{ as_of_date() }} < clock_start_date + to_days({{ var('response_window_days') }})
                then 'pending'
            when clock_start_date is null then 'pending'
            else 'overdue'
        end as response_status,
        {{ as_of_date() }} as as_of_date
    from joined

)

select * from final
