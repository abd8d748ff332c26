-- Each organisation named in an FOI requests file or report-level answer file (as written, with
-- the organisation_key the file gives, if any) -> the organisation it is. The rule of
-- int_returns_resolved, by the same name-key macros: the key the file gives first (when the
-- warehouse knows it), then a listed name or alias, then an unlisted recipient seen under the
-- same name. A name that matches nothing, or two organisations, stays unresolved (never guessed).

with

named as (

    select
        organisation_name,
        organisation_key_given
    from {{ ref('stg_returns__requests') }}
    union
    select
        organisation_name,
        organisation_key_given
    from {{ ref('stg_returns__report_lines') }}

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

final as (

    select
        named.organisation_name,
        named.organisation_key_given,
        case
            when named.organisation_key_given is not null then known_organisations.organisation_key
            else coalesce(listed_names.organisation_key, unlisted_names.organisation_key)
        end as organisation_key,
        case
            when known_organisations.organisation_key is not null then 'given_key'
            when named.organisation_key_given is not null then 'unresolved'
            when listed_names.organisation_key is not null then 'listed_name'
            when unlisted_names.organisation_key is not null then 'unlisted_recipient_name'
            else 'unresolved'
        end as resolution_method
    from named
    left join known_organisations
        on named.organisation_key_given = known_organisations.organisation_key
    left join listed_names
        on {{ org_name_key('named.organisation_name', strip_brackets=false) }} = listed_names.name_key
    left join unlisted_names
        on {{ org_name_key('named.organisation_name') }} = unlisted_names.name_key

)

select * from final
