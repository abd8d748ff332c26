-- One row per coroner named on report pages (normalised name), with the spellings seen, the
-- areas they reported from, and their title/role in the Coroners' Society list when one
-- member matches on first and last name.

with

coroner_reports as (

    select * from {{ ref('int_coroners_normalised') }}
    where coroner_key is not null

),

reports as (

    select
        report_url,
        report_date
    from {{ ref('stg_judiciary_pfd__reports') }}

),

areas as (

    select
        reports.report_url,
        resolved.current_coroner_area
    from {{ ref('stg_judiciary_pfd__reports') }} as reports
    inner join {{ ref('int_coroner_areas_resolved') }} as resolved
        on reports.coroner_area_raw is not distinct from resolved.coroner_area_raw

),

society as (

    select
        {{ clean_text("""regexp_replace(regexp_replace(lower(name),
            '\\b(hhj|mr|mrs|ms|miss|dr|professor|prof|sir|dame|the|qc|kc|obe|mbe|cbe)\\b\\.?', ' ', 'g'),
            '[^a-z\\- '']', ' ', 'g')""") }} as member_name,
        title,
        role
    from {{ ref('coroners') }}

),

society_keyed as (

    select
        split_part(member_name, ' ', 1) || ' ' || string_split(member_name, ' ')[-1] as first_last,
        any_value(title) as society_title,
        any_value(role) as society_role
    from society
    where member_name is not null
    group by first_last
    having count(*) = 1

),

aggregated as (

    select
        coroner_reports.coroner_key,
        mode(coroner_reports.coroner_name_text) as coroner_name,
        any_value(coroner_reports.coroner_first_last) as coroner_first_last,
        list(distinct coroner_reports.coroner_name_raw) as raw_spellings,
        count(distinct coroner_reports.report_url) as report_count,
        min(reports.report_date) as first_report_date,
        max(reports.report_date) as last_report_date,
        mode(areas.current_coroner_area) as main_coroner_area
    from coroner_reports
    left join reports on coroner_reports.report_url = reports.report_url
    left join areas on coroner_reports.report_url = areas.report_url
    group by coroner_reports.coroner_key

),

final as (

    select
        aggregated.coroner_key,
        aggregated.coroner_name,
        aggregated.main_coroner_area,
        aggregated.report_count,
        aggregated.first_report_date,
        aggregated.last_report_date,
        society_keyed.society_title,
        society_keyed.society_role,
        aggregated.raw_spellings
    from aggregated
    left join society_keyed on aggregated.coroner_first_last = society_keyed.first_last

)

select * from final
