-- Question 3: for each current coroner area and report year, reports published, publication lag,
-- share with all responses published, share with missing header fields and reports with no
-- named recipient (the audit mart, one row per area and year).
select
    current_coroner_area,
    report_year,
    reports_published,
    median_publication_lag_days,
    share_all_responses_published,
    share_missing_header_fields,
    reports_no_named_recipient
from main.audit_publication_completeness
order by current_coroner_area, report_year
