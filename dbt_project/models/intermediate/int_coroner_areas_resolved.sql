-- Each raw coroner area spelling seen on a report page -> the area it names (current or
-- historic) and the current area that covers it today. Matching is on an order-insensitive token
-- key (macros/text_cleaning.sql); spellings the key cannot place are looked up in the
-- hand-checked alias seed; ambiguous spellings ("London", "West Yorkshire") stay unresolved.
-- An unresolved spelling carries the current areas it could mean, for a later rule (the report's
-- coroner) or a reader to judge: a joint name whose every part names an area ("Coventry and
-- Warwickshire") or a partial name found word for word inside area names ("West Yorkshire" in
-- "West Yorkshire (Eastern)"). The candidates are never used as a resolution here; a bare name
-- that the key matches to "London City" or "Manchester City" while several areas' names hold it
-- ("London", "Manchester") is unresolved too.

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

),

phrased as (

    select
        *,
        -- the spelling's words in order (first line, "Category:" glued text dropped)
        trim(regexp_replace(regexp_replace(lower(regexp_replace(
            regexp_extract(replace(coalesce(coroner_area_raw, ''), chr(160), ' '), '^[^\n]*'),
            '(?i)category\s*:.*$', ''
        )), '&', ' and ', 'g'), '[^a-z0-9]+', ' ', 'g')) as area_phrase,
        -- the key drops "city" and "county", so a bare "London" or "Manchester" meets "London City"
        -- or "Manchester City": such a match is checked below like an unresolved spelling
        resolution_method in ('current_name', 'historic_name')
        and regexp_matches(lower(coroner_area), '\b(city|county)\b')
        and not regexp_matches(lower(coroner_area_raw), '\b(city|county)\b') as is_bare_name_match
    from resolved

),

unresolved as (

    select
        coroner_area_raw,
        area_phrase
    from phrased
    where resolution_method = 'unresolved' or is_bare_name_match

),

known_names as (

    -- every name an area has been listed under (a merged-away spelling such as
    -- "West Yorkshire (Eastern)" keeps its words here), with the current area covering it
    select distinct
        ' ' || trim(regexp_replace(
            regexp_replace(lower(names.known_name), '&', ' and ', 'g'),
            '[^a-z0-9]+', ' ', 'g'
        )) || ' ' as name_phrase,
        names.current_coroner_area
    from (
        select
            current_coroner_area,
            unnest(known_names) as known_name
        from areas
        where current_coroner_area is not null
    ) as names

),

joint_parts as (

    select
        coroner_area_raw,
        unnest(regexp_split_to_array(area_phrase, '\s+and\s+')) as part
    from unresolved

),

joint_names as (

    select
        joint_parts.coroner_area_raw,
        list(distinct areas.current_coroner_area order by areas.current_coroner_area)
            as candidate_current_areas
    from joint_parts
    left join areas on {{ coroner_area_key('joint_parts.part') }} = areas.area_key
    group by joint_parts.coroner_area_raw
    having
        count(*) >= 2
        and count(*) = count(areas.current_coroner_area)
        and count(distinct areas.current_coroner_area) >= 2

),

partial_names as (

    select
        unresolved.coroner_area_raw,
        list(distinct known_names.current_coroner_area order by known_names.current_coroner_area)
            as candidate_current_areas
    from unresolved
    inner join known_names
        on contains(known_names.name_phrase, ' ' || unresolved.area_phrase || ' ')
    where unresolved.area_phrase <> ''
    group by unresolved.coroner_area_raw

),

bare_names as (

    -- a bare name found inside several areas' names is as ambiguous as any other partial name
    select partial_names.coroner_area_raw
    from partial_names
    inner join phrased on partial_names.coroner_area_raw = phrased.coroner_area_raw
    where phrased.is_bare_name_match and len(partial_names.candidate_current_areas) >= 2

),

final as (

    select
        phrased.coroner_area_raw,
        phrased.report_count,
        phrased.area_key,
        case when bare_names.coroner_area_raw is null then phrased.coroner_area end as coroner_area,
        case when bare_names.coroner_area_raw is null then phrased.current_coroner_area end
            as current_coroner_area,
        case when bare_names.coroner_area_raw is null then phrased.is_current_area end as is_current_area,
        case
            when bare_names.coroner_area_raw is not null then 'unresolved'
            else phrased.resolution_method
        end as resolution_method,
        case
            when joint_names.coroner_area_raw is not null then 'joint_name'
            when bare_names.coroner_area_raw is not null then 'partial_name'
            when phrased.resolution_method <> 'unresolved' then null
            when partial_names.coroner_area_raw is not null then 'partial_name'
            else 'no_known_area'
        end as unresolved_kind,
        case
            when phrased.resolution_method = 'unresolved' or bare_names.coroner_area_raw is not null
                then coalesce(joint_names.candidate_current_areas, partial_names.candidate_current_areas)
        end as candidate_current_areas
    from phrased
    left join joint_names on phrased.coroner_area_raw = joint_names.coroner_area_raw
    left join partial_names on phrased.coroner_area_raw = partial_names.coroner_area_raw
    left join bare_names on phrased.coroner_area_raw = bare_names.coroner_area_raw

)

select * from final
