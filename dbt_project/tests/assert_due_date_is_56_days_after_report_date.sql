-- The statutory deadline (Regulation 29) is 56 days from the date of the report, on every row.
select
    report_url,
    organisation_key,
    report_date,
    due_date
from {{ ref('fct_report_recipients') }}
where
    report_date is not null
    and due_date is distinct from report_date + to_days({{ var('response_window_days') }})
