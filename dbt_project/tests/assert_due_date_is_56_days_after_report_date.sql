-- The statutory deadline (Regulation 29) is 56 days from the date of the report, unless the report
-- states its own deadline ("namely by ..."), which must then lie within a year of the report.
select
    report_url,
    organisation_key,
    report_date,
    due_date,
    due_date_source
from {{ ref('fct_report_recipients') }}
where
    report_date is not null
    and case due_date_source
        when 'stated_in_report'
            then due_date not between report_date and report_date + interval 1 year
        when 'report_date_plus_56'
            then due_date is distinct from report_date + to_days({{ var('response_window_days') }})
        else true
    end
