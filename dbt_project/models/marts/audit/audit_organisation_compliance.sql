-- Per recipient organisation and report year: reports received, how many have a published
-- response, how many are overdue or pending as of the as_of date, and the median days from
-- report to published response. Each report counts once per organisation.

with

report_recipients as (

    select * from {{ ref('fct_report_recipients') }}

),

final as (

    select
        organisation_key,
        any_value(organisation_name) as organisation_name,
        any_value(organisation_type) as organisation_type,
        year(coalesce(report_date, report_published_date)) as report_year,
        count(distinct report_url) as reports_received,
        count(*) filter (where response_status = 'responded') as reports_responded,
        count(*) filter (where response_status = 'overdue') as reports_overdue,
        count(*) filter (where response_status = 'pending') as reports_pending,
        round(count(*) filter (where response_status = 'responded') / count(*), 4) as response_rate,
        median(days_to_respond) as median_days_to_respond,
        any_value(as_of_date) as as_of_date
    from report_recipients
    group by organisation_key, year(coalesce(report_date, report_published_date))

)

select * from final
