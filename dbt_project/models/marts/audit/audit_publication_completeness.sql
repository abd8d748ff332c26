-- Per current coroner area and report year: reports published, publication lag, share of
-- reports with every recipient's response published, share with missing header fields, and
-- reports sent with no named recipient.
--
-- Each row also carries its area's audit window measures, the same on every row of the area,
-- which the coroner_area_completeness suite judges against its thresholds: over the last
-- var('completeness_window_years') report years up to the newest report year in the warehouse
-- (so old history, with headers only in PDFs before 2016, does not drown current practice), the
-- publication lag p95, the share of reports missing a header field and the share of reports
-- past their deadline with a named recipient whose every response is published; and the days
-- since the area last published, counted back from the newest publication anywhere (the data's
-- own horizon, so an old snapshot does not make every area look silent). A current area that
-- has never published has one row with no report year, so every current area is audited.

{%- set window_years = var('completeness_window_years', 3) %}
-- The first publication the site could hold: the Coroners (Investigations) Regulations 2013
-- came into force on 25 July 2013. An area with no publication is silent since then.
{%- set first_possible_publication = "date '2013-07-25'" %}

with

reports as (

    select
        *,
        coalesce(current_coroner_area_key, 'unresolved') as area_key,
        coalesce(current_coroner_area, 'Unresolved area') as area_name
    from {{ ref('fct_reports') }}

),

current_areas as (

    select
        coroner_area_key,
        coroner_area
    from {{ ref('dim_coroner_areas') }}
    where is_current

),

horizon as (

    select
        max(published_date) as newest_published_date,
        max(report_year) - {{ window_years }} + 1 as window_first_year,
        max(report_year) as window_last_year,
        max(as_of_date) as as_of_date
    from reports

),

by_year as (

    select
        area_key as current_coroner_area_key,
        area_name as current_coroner_area,
        report_year,
        count(*) as reports_published,
        median(publication_lag_days) as median_publication_lag_days,
        quantile_cont(publication_lag_days, 0.95) as p95_publication_lag_days,
        count(*) filter (where report_status = 'completed') as reports_all_responses_published,
        round(
            count(*) filter (where report_status = 'completed')
            -- unknown is not zero: a report whose capture cannot tell is left out of the share
            / nullif(count(*) filter (where report_status not in ('no_named_recipient', 'unknown')), 0), 4)
            as share_all_responses_published,
        count(*) filter (where missing_header_field_count > 0) as reports_with_missing_header_fields,
        round(count(*) filter (where missing_header_field_count > 0) / count(*), 4)
            as share_missing_header_fields,
        count(*) filter (where report_status = 'no_named_recipient') as reports_no_named_recipient,
        count(*) filter (where report_status = 'overdue') as reports_overdue,
        count(*) filter (where report_status = 'possibly_answered') as reports_possibly_answered,
        count(*) filter (where report_status = 'unknown') as reports_status_unknown
    from reports
    group by all

),

never_published as (

    select
        current_areas.coroner_area_key as current_coroner_area_key,
        current_areas.coroner_area as current_coroner_area,
        null::bigint as report_year,
        0 as reports_published,
        null::double as median_publication_lag_days,
        null::double as p95_publication_lag_days,
        0 as reports_all_responses_published,
        null::double as share_all_responses_published,
        0 as reports_with_missing_header_fields,
        null::double as share_missing_header_fields,
        0 as reports_no_named_recipient,
        0 as reports_overdue,
        0 as reports_possibly_answered,
        0 as reports_status_unknown
    from current_areas
    where not exists (
        select 1 from reports
        where reports.area_key = current_areas.coroner_area_key
    )

),

area_years as (

    select * from by_year
    union all
    select * from never_published

),

window_measures as (

    select
        reports.area_key,
        count(*) as window_reports_published,
        quantile_cont(reports.publication_lag_days, 0.95) as window_p95_publication_lag_days,
        round(avg(case when reports.missing_header_field_count > 0 then 1.0 else 0.0 end), 4)
            as window_share_missing_header_fields,
        round(
            avg(case when reports.report_status = 'completed' then 1.0 else 0.0 end)
            filter (where reports.report_status not in ('no_named_recipient', 'pending', 'unknown')),
            4
        ) as window_share_all_responses_published
    from reports
    cross join horizon
    where reports.report_year >= horizon.window_first_year
    group by reports.area_key

),

last_published as (

    select
        area_key,
        max(published_date) as last_published_date
    from reports
    group by area_key

),

final as (

    select
        area_years.*,
        horizon.window_first_year,
        horizon.window_last_year,
        coalesce(window_measures.window_reports_published, 0) as window_reports_published,
        window_measures.window_p95_publication_lag_days,
        window_measures.window_share_missing_header_fields,
        window_measures.window_share_all_responses_published,
        last_published.last_published_date,
        horizon.newest_published_date,
        coalesce(
            horizon.newest_published_date - last_published.last_published_date,
            horizon.newest_published_date - {{ first_possible_publication }}
        ) as days_since_last_publication,
        horizon.as_of_date
    from area_years
    cross join horizon
    left join window_measures on area_years.current_coroner_area_key = window_measures.area_key
    left join last_published on area_years.current_coroner_area_key = last_published.area_key

)

select * from final
