-- Each return row of every loaded file version -> the organisation or coroner area it speaks
-- for. Exact keys only, in this order: the key the file gives (when it is an organisation the
-- warehouse knows); a listed name or alias (int_organisation_names_unioned); an unlisted
-- organisation seen as a recipient under the same name. Coroner-area returns match an area name
-- (current or historic) or a raw spelling already resolved on report pages. A name that matches
-- nothing, or matches two organisations, stays unresolved: reported, not guessed. Two rows of one
-- file version for the same body, period, counting basis and reference are duplicates. Either
-- problem is named (problem_column, problem) and holds the whole file version out of the
-- reconciliation (int_returns_file_versions). The raw load does not resolve names: this model,
-- with the name-key macros the warehouse stores, is the one place they are resolved.

with

returns as (

    select * from {{ ref('stg_returns__returns') }}

),

known_organisations as (

    {{ known_organisation_keys() }}

),

listed_names as (

    {{ listed_organisation_names() }}

),

unlisted_names as (

    {{ unlisted_organisation_names() }}

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
        case
            when returns.organisation_key_given is not null then known_organisations.organisation_key
            else coalesce(listed_names.organisation_key, unlisted_names.organisation_key)
        end as organisation_key,
        cast(null as varchar) as coroner_area,
        case
            when known_organisations.organisation_key is not null then 'given_key'
            when returns.organisation_key_given is not null then 'unresolved'
            when listed_names.organisation_key is not null then 'listed_name'
            when unlisted_names.organisation_key is not null then 'unlisted_recipient_name'
            else 'unresolved'
        end as resolution_method,
        case
            when returns.organisation_key_given is not null then 'organisation_key'
            else 'organisation_name'
        end as name_column,
        case
            when returns.organisation_key_given is not null
                then
                    '''' || returns.organisation_key_given || ''' is not in dim_organisations'
            else
                'unknown organisation ''' || returns.organisation_name || ''': no organisation'
                || ' in dim_organisations has this name or alias (names are not guessed; correct'
                || ' the spelling, give organisation_key, or add it to'
                || ' dbt_project/seeds/curated_organisations.csv)'
        end as unresolved_problem
    from returns
    left join known_organisations
        on returns.organisation_key_given = known_organisations.organisation_key
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
            as resolution_method,
        'organisation_name' as name_column,
        'unknown coroner area ''' || returns.organisation_name || ''': no area in'
        || ' dim_coroner_areas has this name (names are not guessed; correct the spelling)'
            as unresolved_problem
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

keyed as (

    select
        returns.*,
        resolved.organisation_key,
        resolved.coroner_area,
        {{ slugify('resolved.coroner_area') }} as coroner_area_key,
        resolved.resolution_method,
        resolved.resolution_method <> 'unresolved' as is_resolved,
        resolved.name_column,
        resolved.unresolved_problem,
        -- the first row of this file version for the same body, period, basis and reference
        min(returns.row_number) over (
            partition by
                returns.file_sha256,
                coalesce(resolved.organisation_key, resolved.coroner_area, returns.return_row_id),
                returns.period_start,
                returns.period_end,
                lower(coalesce(returns.counting_basis, '')),
                lower(coalesce(returns.source_reference, ''))
        ) as first_row_number
    from returns
    inner join resolved on returns.return_row_id = resolved.return_row_id

),

final as (

    select
        * exclude (name_column, unresolved_problem, first_row_number),
        case when first_row_number < row_number then first_row_number end as duplicate_of_row,
        case
            when not is_resolved then name_column
        end as problem_column,
        case
            when not is_resolved then unresolved_problem
            when first_row_number < row_number
                then
                    'duplicate of row ' || first_row_number || ' (same organisation, period,'
                    || ' counting basis and source reference)'
        end as problem
    from keyed

)

select * from final
