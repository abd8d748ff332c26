-- Every name by which a listed organisation may be addressed, as a normalised matching key:
-- ODS names, former names (renames, and closed trusts), curated canonical names and aliases, and
-- the name variants seed (hospital sites, abbreviations, former names), which may hold for a
-- period only (valid_from / valid_to: the site's trust changed). A key that would point at two
-- organisations is dropped, unless every row of it is dated (the seed gives each period its
-- trust): unresolved beats a wrong match.
-- The renames file annotates some names ("... TRUST (code reused; closed 2024-09-30)", "A + B"):
-- the bracketed note is dropped and a name joining two bodies is skipped.
-- Undated names also carry their word set (org_word_set: the words in any order, without "NHS",
-- "Foundation", "Trust" and joining words), and NHS trust names their core words
-- (org_core_words: the words that tell one trust from another), for the word-order and
-- filler-word rules in int_recipients_resolved.

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

variants as (

    select * from {{ ref('organisation_name_variants') }}

),

names as (

    select
        organisation_key,
        canonical_name as name,
        'canonical_name' as name_source,
        null::date as valid_from,
        null::date as valid_to
    from organisations

    union all

    select
        'ods:' || renames.ods_code,
        regexp_replace(renamed.name, '\s*\([^)]*\)\s*$', ''),
        'former_name',
        null,
        null
    from renames,
        unnest([renames.old_name, renames.new_name]) as renamed (name)
    where renamed.name not like '% + %'

    union all

    select
        organisation_key,
        trim(unnest(string_split(aliases, ' | '))),
        'alias',
        null,
        null
    from curated
    where nullif(aliases, '') is not null

    union all

    select
        organisation_key,
        name,
        'variant_' || variant_kind,
        try_cast(valid_from as date),
        try_cast(valid_to as date)
    from variants

),

keyed as (

    select
        organisation_key,
        name,
        name_source,
        valid_from,
        valid_to,
        {{ org_name_key('name', strip_brackets=false) }} as name_key,
        case
            when
                name_source in (
                    'canonical_name', 'former_name', 'alias', 'variant_former_or_common_name'
                )
                and valid_from is null
                and valid_to is null
                then {{ org_folded_words('name') }}
        end as folded_words,
        -- variants match only as written: a site's short form would crowd trusts' loose keys
        case
            when organisation_key like 'ods:%' and name_source not like 'variant_%'
                then {{ org_loose_key('name') }}
        end as loose_key
    from names
    where nullif(trim(name), '') is not null

),

unambiguous_name_keys as (

    select name_key
    from keyed
    group by name_key
    having
        count(distinct organisation_key) = 1
        or bool_and(valid_from is not null or valid_to is not null)

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
        keyed.valid_from,
        keyed.valid_to,
        keyed.name_key,
        case
            when keyed.organisation_key like 'ods:%' then {{ org_core_words('keyed.folded_words') }}
        end as core_words,
        {{ org_word_set('keyed.folded_words') }} as word_set,
        case when unambiguous_loose_keys.loose_key is not null then keyed.loose_key end as loose_key,
        length(keyed.name_key) - length(replace(keyed.name_key, ' ', '')) + 1 as name_key_tokens
    from keyed
    inner join unambiguous_name_keys
        on keyed.name_key = unambiguous_name_keys.name_key
    left join unambiguous_loose_keys
        on keyed.loose_key = unambiguous_loose_keys.loose_key
    qualify row_number() over (
        partition by keyed.organisation_key, keyed.name_key
        -- an undated name of the organisation covers any dated variant of it
        order by
            keyed.valid_from is not null or keyed.valid_to is not null,
            keyed.name_source,
            keyed.name
    ) = 1

)

select * from final
