-- Every name by which a listed organisation may be addressed, as a normalised matching key:
-- ODS names, former names (renames, and closed trusts), curated canonical names and aliases.
-- A key that would point at two organisations is dropped: unresolved beats a wrong match.

with

organisations as (

    select * from {{ ref('int_organisations_unioned') }}

),

renames as (

    select * from {{ ref('nhs_trust_renames') }}

),

curated as (

    select * from {{ ref('curated_organisations') }}

),

names as (

    select organisation_key, canonical_name as name, 'canonical_name' as name_source
    from organisations

    union all

    select 'ods:' || ods_code, old_name, 'former_name'
    from renames

    union all

    select 'ods:' || ods_code, new_name, 'former_name'
    from renames

    union all

    select organisation_key, trim(unnest(string_split(aliases, ' | '))), 'alias'
    from curated
    where nullif(aliases, '') is not null

),

keyed as (

    select
        organisation_key,
        name,
        name_source,
        {{ org_name_key('name', strip_brackets=false) }} as name_key,
        case when organisation_key like 'ods:%' then {{ org_loose_key('name') }} end as loose_key
    from names
    where nullif(trim(name), '') is not null

),

unambiguous_name_keys as (

    select name_key
    from keyed
    group by name_key
    having count(distinct organisation_key) = 1

),

unambiguous_loose_keys as (

    select loose_key
    from keyed
    where loose_key is not null
    group by loose_key
    having count(distinct organisation_key) = 1

),

final as (

    select
        keyed.organisation_key,
        keyed.name,
        keyed.name_source,
        keyed.name_key,
        case when unambiguous_loose_keys.loose_key is not null then keyed.loose_key end as loose_key,
        length(keyed.name_key) - length(replace(keyed.name_key, ' ', '')) + 1 as name_key_tokens
    from keyed
    inner join unambiguous_name_keys
        on keyed.name_key = unambiguous_name_keys.name_key
    left join unambiguous_loose_keys
        on keyed.loose_key = unambiguous_loose_keys.loose_key
    qualify row_number() over (
        partition by keyed.organisation_key, keyed.name_key order by keyed.name_source
    ) = 1

)

select * from final
