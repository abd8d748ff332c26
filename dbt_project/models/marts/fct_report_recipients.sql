-- Report x recipient organisation (as named on the report), with the body that answers for it
-- now, where the recipient came from, the due date, the first published response and the
-- response status as of the as_of variable. Pieces naming the same organisation twice in one
-- report count once.
--
-- Recipients come from the page header, else from the addressee block of the report's own text,
-- else (a report naming no one anywhere we can read) from the organisations that answered it.
--
-- The status says what the capture can tell (first rule that applies):
--   responded                   a response document from that organisation is published;
--   pending                     the due date has not passed;
--   unknown_not_captured        the page was captured without its document links;
--   unknown_captured_before_due the page was captured before the response was due, so a
--                               response published later could not be on it;
--   possibly_answered           a response document on the same report matches no recipient:
--                               it may be this one's answer;
--   overdue                     a capture that could have shown a response does not.
-- The due date is the deadline the report states ("namely by 6th March 2024") when it states a
-- plausible one, else the report date + 56 days (the publication date when the report date is
-- unknown). Response dates are known only to the month (the upload folder), so days to respond
-- is a range; days_to_respond is its midpoint, and NULL when the range includes 0.

with

reports as (

    select * from {{ ref('stg_judiciary_pfd__reports') }}
    where published_date is null or published_date <= {{ as_of_date() }}

),

texts as (

    select
        report_url,
        stated_response_due_date
    from {{ ref('stg_judiciary_pfd__report_texts') }}

),

-- the deadline a report states counts when it falls within a year of the report date
deadline_sources as (

    select
        reports.report_url,
        reports.report_date,
        reports.published_date,
        texts.stated_response_due_date,
        case
            when
                texts.stated_response_due_date between reports.report_date
                and reports.report_date + interval 1 year
                then 'stated_in_report'
            when reports.report_date is not null then 'report_date_plus_56'
            when reports.published_date is not null then 'published_date_plus_56'
        end as due_date_source
    from reports
    left join texts on reports.report_url = texts.report_url

),

deadlines as (

    select
        report_url,
        due_date_source,
        case
            when due_date_source = 'stated_in_report' then stated_response_due_date
            else coalesce(report_date, published_date) + to_days({{ var('response_window_days') }})
        end as due_date
    from deadline_sources

),

organisations as (

    select * from {{ ref('dim_organisations') }}

),

-- the current body of a named recipient depends on the report date (one ODS code can name two
-- bodies in turn), so it comes from the piece; a responder takes its organisation's
named_recipients as (

    select
        report_url,
        organisation_key,
        recipient_source,
        recipient_position,
        recipient_raw,
        resolution_method,
        resolution_confidence,
        current_organisation_key,
        current_organisation_confidence
    from {{ ref('int_recipients_resolved') }}
    where organisation_key is not null

),

responses as (

    select * from {{ ref('fct_responses') }}
    where is_published_as_of

),

responder_recipients as (

    select
        report_url,
        organisation_key,
        'response_document' as recipient_source,
        cast(null as bigint) as recipient_position,
        response_organisation_text as recipient_raw,
        'responder_as_recipient' as resolution_method,
        match_confidence as resolution_confidence,
        null as current_organisation_key,
        cast(null as double) as current_organisation_confidence
    from responses
    where is_responder_as_recipient

),

report_organisations as (

    select
        recipients.report_url,
        recipients.organisation_key,
        min(recipients.recipient_source) as recipient_source,
        min(recipients.recipient_position) as first_recipient_position,
        string_agg(
            recipients.recipient_raw, ' | '
            order by recipients.recipient_position, recipients.recipient_raw
        ) as recipient_raw,
        arg_max(
            recipients.resolution_method,
            (recipients.resolution_confidence, recipients.resolution_method)
        ) as resolution_method,
        max(recipients.resolution_confidence) as resolution_confidence,
        min(recipients.current_organisation_key) as piece_current_organisation_key,
        min(recipients.current_organisation_confidence) as piece_current_organisation_confidence
    from (
        select * from named_recipients
        union all
        select * from responder_recipients
    ) as recipients
    group by recipients.report_url, recipients.organisation_key

),

first_responses as (

    select
        report_url,
        organisation_key,
        min(published_on_estimate) as first_response_published_on,
        min(published_on_latest) as first_response_published_by,
        arg_min(document_url, (published_on_estimate, document_url)) as first_response_document_url,
        count(*) as response_count
    from responses
    where is_matched
    group by report_url, organisation_key

),

unmatched_responses as (

    select
        report_url,
        count(*) as unmatched_response_count
    from responses
    where not is_matched
    group by report_url

),

-- the organisation as named, and the body that answers for it now
named_and_current as (

    select
        report_organisations.*,
        organisations.canonical_name as organisation_name,
        organisations.organisation_type,
        coalesce(report_organisations.piece_current_organisation_key, organisations.current_organisation_key)
            as current_organisation_key,
        coalesce(
            report_organisations.piece_current_organisation_confidence,
            organisations.current_organisation_confidence
        ) as current_organisation_confidence
    from report_organisations
    left join organisations on report_organisations.organisation_key = organisations.organisation_key

),

joined as (

    select
        named_and_current.*,
        current_bodies.canonical_name as current_organisation_name,
        current_bodies.organisation_type as current_organisation_type,
        reports.report_date,
        reports.published_date as report_published_date,
        reports.captured_on,
        reports.capture_kind,
        deadlines.due_date,
        deadlines.due_date_source,
        first_responses.first_response_published_on,
        first_responses.first_response_published_by,
        first_responses.first_response_document_url,
        coalesce(first_responses.response_count, 0) as response_count,
        coalesce(unmatched_responses.unmatched_response_count, 0) as unmatched_response_count_on_report
    from named_and_current
    inner join reports on named_and_current.report_url = reports.report_url
    inner join deadlines on named_and_current.report_url = deadlines.report_url
    left join organisations as current_bodies
        on named_and_current.current_organisation_key = current_bodies.organisation_key
    left join first_responses
        on
            named_and_current.report_url = first_responses.report_url
            and named_and_current.organisation_key = first_responses.organisation_key
    left join unmatched_responses on named_and_current.report_url = unmatched_responses.report_url

),

statused as (

    select
        *,
        case
            when response_count > 0 then 'responded'
            when due_date is null or {{ as_of_date() }} < due_date then 'pending'
            when capture_kind = 'no_document_links' then 'unknown_not_captured'
            when captured_on < due_date then 'unknown_captured_before_due'
            when unmatched_response_count_on_report > 0 then 'possibly_answered'
            else 'overdue'
        end as response_status,
        -- greatest() skips nulls, so no response must stay null explicitly
        case
            when first_response_published_on is not null
                then greatest(date_diff('day', report_date, first_response_published_on), 0)
        end as days_to_respond_low,
        case
            when first_response_published_by is not null
                then greatest(date_diff('day', report_date, first_response_published_by), 0)
        end as days_to_respond_high
    from joined

),

final as (

    select
        md5(report_url || '|' || organisation_key) as report_recipient_key,
        report_url,
        organisation_key,
        organisation_name,
        organisation_type,
        coalesce(current_organisation_key, organisation_key) as current_organisation_key,
        coalesce(current_organisation_name, organisation_name) as current_organisation_name,
        coalesce(current_organisation_type, organisation_type) as current_organisation_type,
        current_organisation_confidence,
        recipient_source,
        first_recipient_position,
        recipient_raw,
        resolution_method,
        resolution_confidence,
        report_date,
        report_published_date,
        cast(due_date as date) as due_date,
        due_date_source,
        captured_on,
        capture_kind,
        -- how long after the due date the page was captured: responses are often published weeks
        -- or months after they are sent, so an "overdue" from a capture soon after the due date
        -- is weaker evidence than one from a capture a year later
        date_diff('day', due_date, captured_on) as days_from_due_to_capture,
        first_response_published_on,
        first_response_document_url,
        response_count,
        unmatched_response_count_on_report,
        days_to_respond_low,
        days_to_respond_high,
        case when first_response_published_on is not null then 'month' end as days_to_respond_precision,
        case
            when days_to_respond_low > 0 then (days_to_respond_low + days_to_respond_high) / 2.0
        end as days_to_respond,
        response_status,
        response_status in ('unknown_not_captured', 'unknown_captured_before_due') as is_status_unknown,
        {{ as_of_date() }} as as_of_date
    from statused

)

select * from final
