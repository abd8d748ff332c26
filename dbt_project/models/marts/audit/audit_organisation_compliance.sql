-- Per recipient organisation (as named on the report) and report year: reports received, how
-- many have a published response, how many are possibly answered (an unmatched response
-- document on the same report), overdue, of unknown status (the capture cannot tell: page
-- captured without document links, or before the response was due) or pending as of the
-- as_of date, where the organisation was found as a recipient, and the median days from report
-- to published response. Response dates are known to the month only: the median uses
-- days_to_respond (the midpoint of the range), which is NULL for an answer uploaded in the
-- report's own month, so those answers are left out of it (responses_timed counts the rest).
-- Each report counts once per organisation; current_organisation_* name the body that answers
-- for the organisation now, to roll the rows up.

with

report_recipients as (

    select * from {{ ref('fct_report_recipients') }}

),

final as (

    select
        organisation_key,
        any_value(organisation_name) as organisation_name,
        any_value(organisation_type) as organisation_type,
        min(current_organisation_key) as current_organisation_key,
        min(current_organisation_name) as current_organisation_name,
        min(current_organisation_type) as current_organisation_type,
        year(coalesce(report_date, report_published_date)) as report_year,
        count(distinct report_url) as reports_received,
        count(*) filter (where response_status = 'responded') as reports_responded,
        count(*) filter (where response_status = 'possibly_answered') as reports_possibly_answered,
        count(*) filter (where response_status = 'overdue') as reports_overdue,
        count(*) filter (where is_status_unknown) as reports_status_unknown,
        count(*) filter (where response_status = 'pending') as reports_pending,
        count(*) filter (where recipient_source = 'header') as reports_from_header,
        count(*) filter (where recipient_source = 'report_text') as reports_from_report_text,
        count(*) filter (
            where recipient_source = 'response_document'
        ) as reports_from_response_document,
        round(count(*) filter (where response_status = 'responded') / count(*), 4) as response_rate,
        median(days_to_respond) filter (
            where response_status = 'responded'
        ) as median_days_to_respond,
        count(days_to_respond) filter (where response_status = 'responded') as responses_timed,
        any_value(as_of_date) as as_of_date
    from report_recipients
    group by organisation_key, year(coalesce(report_date, report_published_date))

)

select * from final
