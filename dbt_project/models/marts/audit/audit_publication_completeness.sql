-- Per current coroner area and report year: reports published, publication lag, share of
-- reports with every recipient's response published, share with missing header fields, and
-- reports sent with no named recipient.

with

reports as (

    select * from {{ ref('fct_reports') }}

),

final as (

    select
        coalesce(current_coroner_area_key, 'unresolved') as current_coroner_area_key,
        coalesce(current_coroner_area, 'Unresolved area') as current_coroner_area,
        report_year,
        count(*) as reports_published,
        median(publication_lag_days) as median_publication_lag_days,
        quantile_cont(publication_lag_days, 0.95) as p95_publication_lag_days,
        count(*) filter (where report_status = 'completed') as reports_all_responses_published,
        round(
            count(*) filter (where report_status = 'completed')
            / nullif(count(*) filter (where report_status <> 'no_named_recipient'), 0), 4)
            as share_all_responses_published,
        count(*) filter (where missing_header_field_count > 0) as reports_with_missing_header_fields,
        round(count(*) filter (where missing_header_field_count > 0) / count(*), 4)
            as share_missing_header_fields,
        count(*) filter (where report_status = 'no_named_recipient') as reports_no_named_recipient,
        count(*) filter (where report_status = 'overdue') as reports_overdue,
        any_value(as_of_date) as as_of_date
    from reports
    group by all

)

select * from final
