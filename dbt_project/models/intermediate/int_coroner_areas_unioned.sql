-- Every coroner area a report may name: the 77 current areas and the historic areas (MoJ yearly
-- lists and merger records), each with the current area that succeeded it.

with recursive

current_areas as (

    select * from {{ ref('coroner_areas_current') }}

),

historic_areas as (

    select * from {{ ref('coroner_areas_moj_by_year') }}

),

mergers as (

    select * from {{ ref('coroner_area_mergers') }}

),

merger_old_areas as (

    -- the 2015 Cumbria row separates its two old areas with a comma instead of ";"
    select
        trim(unnest(string_split(
            replace(old_areas, 'Cumbria, South and East', 'Cumbria; South and East'), ';'
        ))) as old_area,
        new_areas,
        strptime(effective_date, '%d-%b-%y')::date as merged_on
    from mergers
    where new_areas <> 'N/A'

),

merger_steps_split as (

    -- "3 into 2" rows pair every old area with every new one
    select
        old_area,
        trim(unnest(string_split(new_areas, ';'))) as new_area,
        merged_on
    from merger_old_areas

),

keyed_steps as (

    select
        {{ coroner_area_key('old_area') }} as old_key,
        {{ coroner_area_key('new_area') }} as new_key,
        merged_on
    from merger_steps_split

),

current_keyed as (

    select
        coroner_area,
        country,
        -- four current areas have no region in the source list (their names hold a comma)
        coalesce(nullif(region, ''), case coroner_area
            when 'County of Devon, Plymouth & Torbay' then 'South West'
            when 'Hampshire, Portsmouth and Southampton' then 'South East'
            when 'Sefton, Knowsley and St Helens' then 'North West'
            when 'Shropshire, Telford and Wrekin' then 'West Midlands'
            when 'West Sussex, Brighton and Hove' then 'South East'
        end) as region,
        {{ coroner_area_key('coroner_area') }} as area_key
    from current_areas

),

chain as (

    select
        old_key,
        new_key,
        merged_on,
        1 as depth
    from keyed_steps

    union all

    select
        chain.old_key,
        keyed_steps.new_key,
        keyed_steps.merged_on,
        chain.depth + 1
    from chain
    inner join keyed_steps on chain.new_key = keyed_steps.old_key
    where chain.depth < 6

),

current_successor as (

    -- a "3 into 2" step may fork; keep the successor only when every path ends in one current area
    select
        chain.old_key as area_key,
        any_value(current_keyed.coroner_area) as successor_coroner_area,
        max(chain.merged_on) as merged_on
    from chain
    inner join current_keyed on chain.new_key = current_keyed.area_key
    group by chain.old_key
    having count(distinct current_keyed.coroner_area) = 1

),

historic_names as (

    select
        coroner_area,
        max(year) as last_listed_year,
        -- ties (one name listed twice in a year) broken by value, so every run picks the same
        first(region order by year desc, region asc) filter (where region is not null) as region,
        first(country order by year desc, country asc) filter (where country is not null) as country
    from historic_areas
    where country not in ('-', '')
    group by coroner_area

    union all

    select
        old_area,
        null,
        null,
        null
    from merger_steps_split

),

historic_keyed as (

    -- the latest-listed spelling of a key names it; spellings listed in the same year (or only in
    -- the mergers list) are ordered by name, so every run picks the same one
    select
        {{ coroner_area_key('coroner_area') }} as area_key,
        first(coroner_area order by listed_rank desc, coroner_area asc) as coroner_area,
        max(last_listed_year) as last_listed_year,
        first(region order by listed_rank desc, region asc) filter (where region is not null) as region,
        first(country order by listed_rank desc, country asc) filter (where country is not null) as country
    from (
        select
            *,
            coalesce(last_listed_year, 0) as listed_rank
        from historic_names
    ) as ranked_names
    group by area_key

),

renamed_areas as (

    -- MoJ names of areas that were renamed, not merged ("Manchester South"), per the alias seed
    select
        {{ coroner_area_key('aliases.spelling') }} as area_key,
        current_keyed.coroner_area as successor_coroner_area
    from {{ ref('coroner_area_aliases') }} as aliases
    inner join current_keyed
        on {{ coroner_area_key('aliases.coroner_area') }} = current_keyed.area_key

),

names_by_key as (

    -- every name listed for the key ("West Yorkshire (Eastern)" beside "Yorkshire West Eastern"),
    -- sorted: the words of a name a page shortens ("West Yorkshire") survive only here
    select
        area_key,
        list(distinct coroner_area order by coroner_area) as known_names
    from (
        select
            area_key,
            coroner_area
        from current_keyed
        union all
        select
            {{ coroner_area_key('coroner_area') }},
            coroner_area
        from historic_names
    )
    group by area_key

),

unioned as (

    select
        coroner_area,
        area_key,
        true as is_current,
        country,
        region,
        coroner_area as current_coroner_area,
        null::date as merged_on,
        null::integer as last_listed_year
    from current_keyed

    union all

    select
        historic_keyed.coroner_area,
        historic_keyed.area_key,
        false as is_current,
        coalesce(historic_keyed.country, successor_area.country) as country,
        coalesce(
            replace(historic_keyed.region, 'Yorkshire and Humber', 'Yorkshire and the Humber'),
            successor_area.region
        ) as region,
        coalesce(current_successor.successor_coroner_area, renamed_areas.successor_coroner_area)
            as current_coroner_area,
        current_successor.merged_on,
        historic_keyed.last_listed_year
    from historic_keyed
    left join current_successor on historic_keyed.area_key = current_successor.area_key
    left join renamed_areas on historic_keyed.area_key = renamed_areas.area_key
    left join current_keyed as successor_area
        on
            coalesce(current_successor.successor_coroner_area, renamed_areas.successor_coroner_area)
            = successor_area.coroner_area
    where historic_keyed.area_key not in (select area_key from current_keyed)

),

final as (

    select
        unioned.*,
        names_by_key.known_names
    from unioned
    left join names_by_key on unioned.area_key = names_by_key.area_key

)

select * from final
