-- Current and historic coroner areas with country, region and the current area that succeeded
-- each historic one, plus every raw spelling seen on report pages.

with

areas as (

    select * from {{ ref('int_coroner_areas_unioned') }}

),

spellings as (

    select
        coroner_area,
        -- most used first; spellings used equally often by text, so every run lists them alike
        list(coroner_area_raw order by report_count desc, coroner_area_raw asc) as raw_spellings,
        sum(report_count) as report_count
    from {{ ref('int_coroner_areas_resolved') }}
    where coroner_area is not null
    group by coroner_area

),

final as (

    select
        {{ slugify('areas.coroner_area') }} as coroner_area_key,
        areas.coroner_area,
        areas.is_current,
        areas.country,
        areas.region,
        {{ slugify('areas.current_coroner_area') }} as current_coroner_area_key,
        areas.current_coroner_area,
        areas.merged_on,
        areas.last_listed_year,
        coalesce(spellings.report_count, 0) as report_count,
        coalesce(spellings.raw_spellings, []) as raw_spellings
    from areas
    left join spellings on areas.coroner_area = spellings.coroner_area

)

select * from final
