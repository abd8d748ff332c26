-- Each raw coroner area spelling seen on a report page -> the area it names (current or
-- historic) and the current area that covers it today. Matching is on an order-insensitive token
-- key (macros/text_cleaning.sql); spellings the key cannot place are looked up in the
-- hand-checked alias seed; ambiguous spellings ("London", "West Yorkshire") stay unresolved.

with

spellings as (

    select
        coroner_area_raw,
        count(*) as report_count
    from {{ ref('stg_judiciary_pfd__reports') }}
    group by coroner_area_raw

),

areas as (

    select * from {{ ref('int_coroner_areas_unioned') }}

),

aliases as (

    select
        {{ coroner_area_key('spelling') }} as alias_key,
        coroner_area as alias_target
    from {{ ref('coroner_area_aliases') }}

),

keyed as (

    select
        *,
        {{ coroner_area_key('coroner_area_raw') }} as area_key
    from spellings

),

resolved as (

    select
        keyed.coroner_area_raw,
        keyed.report_count,
        keyed.area_key,
        coalesce(alias_area.coroner_area, direct_area.coroner_area) as coroner_area,
        coalesce(alias_area.current_coroner_area, direct_area.current_coroner_area)
            as current_coroner_area,
        coalesce(alias_area.is_current, direct_area.is_current) as is_current_area,
        case
            when keyed.area_key = '' then 'missing'
            when alias_area.coroner_area is not null then 'alias'
            when direct_area.is_current then 'current_name'
            when direct_area.coroner_area is not null then 'historic_name'
            else 'unresolved'
        end as resolution_method
    from keyed
    left join aliases on keyed.area_key = aliases.alias_key
    left join areas as alias_area
        on {{ coroner_area_key('aliases.alias_target') }} = alias_area.area_key
    left join areas as direct_area on keyed.area_key = direct_area.area_key

)

select * from resolved
