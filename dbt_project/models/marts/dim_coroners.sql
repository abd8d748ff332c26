-- One row per coroner named on report pages (normalised name), with the spellings seen, the
-- areas they reported from, and their title/role in the Coroners' Society list when one
-- member matches on first and last name. Every choice among equals is broken explicitly (most
-- reports, then the latest report, then the name), and every list is sorted, so two builds on the
-- same input give the same rows.

with

coroner_reports as (

    select * from {{ ref('int_coroners_normalised') }}
    where coroner_key is not null

),

report_areas as (

    -- the area each report is counted under (any rule, see int_report_coroner_areas)
    select
        report_url,
        report_date,
        current_coroner_area
    from {{ ref('int_report_coroner_areas') }}

),

reports as (

    select
        coroner_reports.coroner_key,
        coroner_reports.report_url,
        coroner_reports.coroner_name_text,
        coroner_reports.coroner_name_raw,
        report_areas.report_date,
        report_areas.current_coroner_area
    from coroner_reports
    left join report_areas on coroner_reports.report_url = report_areas.report_url

),

name_counts as (

    select
        coroner_key,
        coroner_name_text,
        count(*) as report_count,
        max(report_date) as last_report_date
    from reports
    group by coroner_key, coroner_name_text

),

area_counts as (

    select
        coroner_key,
        current_coroner_area,
        count(*) as report_count,
        max(report_date) as last_report_date
    from reports
    where current_coroner_area is not null
    group by coroner_key, current_coroner_area

),

main_names as (

    select
        coroner_key,
        first(
            coroner_name_text
            order by report_count desc, last_report_date desc nulls last, coroner_name_text asc
        ) as coroner_name
    from name_counts
    group by coroner_key

),

main_areas as (

    select
        coroner_key,
        first(
            current_coroner_area
            order by report_count desc, last_report_date desc nulls last, current_coroner_area asc
        ) as main_coroner_area
    from area_counts
    group by coroner_key

),

society as (

    -- the same member for every report of a coroner key, except when two spellings of one key
    -- meet different members: then the first by name, so every run shows the same one
    select
        coroner_key,
        first(society_title order by society_member_name) as society_title,
        first(society_role order by society_member_name) as society_role
    from coroner_reports
    where society_member_name is not null
    group by coroner_key

),

aggregated as (

    select
        coroner_key,
        list(distinct coroner_name_raw order by coroner_name_raw) as raw_spellings,
        count(distinct report_url) as report_count,
        min(report_date) as first_report_date,
        max(report_date) as last_report_date
    from reports
    group by coroner_key

),

final as (

    select
        aggregated.coroner_key,
        main_names.coroner_name,
        main_areas.main_coroner_area,
        aggregated.report_count,
        aggregated.first_report_date,
        aggregated.last_report_date,
        society.society_title,
        society.society_role,
        aggregated.raw_spellings
    from aggregated
    left join main_names on aggregated.coroner_key = main_names.coroner_key
    left join main_areas on aggregated.coroner_key = main_areas.coroner_key
    left join society on aggregated.coroner_key = society.coroner_key

)

select * from final
