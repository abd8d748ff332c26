-- Each return row -> the organisation or coroner area it speaks for. Exact keys only, in this
-- order: the key the file gives; a listed name or alias (int_organisation_names_unioned); an
-- unlisted organisation seen as a recipient under the same name. Coroner-area returns match an
-- area name (current or historic) or a raw spelling already resolved on report pages. A name
-- that matches nothing, or matches two organisations, stays unresolved: reported, not guessed.

with

returns as (

    select * from {{ ref('stg_returns__returns') }}

),

listed_names as (

    select
        name_key,
        any_value(organisation_key) as organisation_key
    from {{ ref('int_organisation_names_unioned') }}
    group by name_key
    having count(distinct organisation_key) = 1

),

unlisted_names as (

    select
        recipient_name_key as name_key,
        any_value(organisation_key) as organisation_key
    from {{ ref('int_recipients_resolved') }}
    where organisation_key like 'name:%'
    group by recipient_name_key
    having count(distinct organisation_key) = 1

),

area_names as (

    select
        area_key,
        any_value(coroner_area) as coroner_area
    from (
        select
            area_key,
            coroner_area
        from {{ ref('int_coroner_areas_unioned') }}
        union all
        select
            area_key,
            coroner_area
        from {{ ref('int_coroner_areas_resolved') }}
        where coroner_area is not null
    )
    group by area_key
    having count(distinct coroner_area) = 1

),

organisation_returns as (

    select
        returns.return_row_id,
        coalesce(
            returns.organisation_key_given, listed_names.organisation_key,
            unlisted_names.organisation_key
        ) as organisation_key,
        cast(null as varchar) as coroner_area,
        case
            when returns.organisation_key_given is not null then 'given_key'
            when listed_names.organisation_key is not null then 'listed_name'
            when unlisted_names.organisation_key is not null then 'unlisted_recipient_name'
            else 'unresolved'
        end as resolution_method
    from returns
    left join listed_names
        on {{ org_name_key('returns.organisation_name', strip_brackets=false) }} = listed_names.name_key
    left join unlisted_names
        on {{ org_name_key('returns.organisation_name') }} = unlisted_names.name_key
    where returns.return_kind = 'organisation'

),

area_returns as (

    select
        returns.return_row_id,
        cast(null as varchar) as organisation_key,
        area_names.coroner_area,
        case when area_names.coroner_area is not null then 'area_name' else 'unresolved' end
            as resolution_method
    from returns
    left join area_names
        on {{ coroner_area_key('returns.organisation_name') }} = area_names.area_key
    where returns.return_kind = 'coroner_area'

),

resolved as (

    select * from organisation_returns
    union all
    select * from area_returns

),

final as (

    select
        returns.*,
        resolved.organisation_key,
        resolved.coroner_area,
        {{ slugify('resolved.coroner_area') }} as coroner_area_key,
        resolved.resolution_method,
        resolved.resolution_method <> 'unresolved' as is_resolved
    from returns
    inner join resolved on returns.return_row_id = resolved.return_row_id

)

select * from final
