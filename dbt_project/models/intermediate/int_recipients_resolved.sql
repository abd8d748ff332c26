-- Each recipient piece resolved to an organisation. Order of trust: an exact normalised name or
-- alias of a listed organisation; the same after dropping a leading "NHS"; a unique looser NHS
-- key (without NHS/Foundation/Trust/Hospital words) for pieces that look like NHS bodies; one
-- listed name of three or more words contained whole in the piece; then rules that type an
-- unlisted organisation (key name:<normalised name>). Anything else stays unresolved.

with

recipients as (

    select * from {{ ref('stg_judiciary_pfd__recipients') }}

),

names as (

    select * from {{ ref('int_organisation_names_unioned') }}

),

organisations as (

    select * from {{ ref('int_organisations_unioned') }}

),

keyed as (

    select
        *,
        {{ org_name_key('recipient_name') }} as name_key,
        {{ org_name_key('recipient_name', strip_brackets=false) }} as name_key_with_brackets,
        regexp_replace({{ org_name_key('recipient_name') }}, '^nhs ', '') as name_key_without_nhs,
        {{ org_loose_key('recipient_name') }} as loose_key,
        regexp_matches(lower(recipient_name), '\b(nhs|trust|hospital|hospitals|healthcare|ambulance|mental health|partnership)\b')
            as looks_like_nhs_body
    from recipients

),

exact_matches as (

    select
        keyed.report_recipient_id,
        names.organisation_key,
        case when names.name_source = 'alias' then 'alias' else 'exact_name' end as resolution_method,
        -- the name as written, brackets included, beats the name without its bracketed part
        case when names.name_key = keyed.name_key_with_brackets then 0.99 else 0.98 end
            as resolution_confidence
    from keyed
    inner join names
        on names.name_key in (keyed.name_key, keyed.name_key_with_brackets)
    where keyed.recipient_kind = 'named'

),

without_nhs_matches as (

    select
        keyed.report_recipient_id,
        names.organisation_key,
        'exact_name_without_nhs' as resolution_method,
        0.95 as resolution_confidence
    from keyed
    inner join names on keyed.name_key_without_nhs = names.name_key
    where keyed.recipient_kind = 'named'
        and keyed.name_key_without_nhs <> keyed.name_key

),

loose_matches as (

    select
        keyed.report_recipient_id,
        names.organisation_key,
        'loose_nhs_name' as resolution_method,
        0.9 as resolution_confidence
    from keyed
    inner join names on keyed.loose_key = names.loose_key
    where keyed.recipient_kind = 'named'
        and keyed.looks_like_nhs_body
        and length(keyed.loose_key) >= 5

),

contained_candidates as (

    select
        keyed.report_recipient_id,
        names.organisation_key,
        names.name_key_tokens
    from keyed
    inner join names
        on names.name_key_tokens >= 3
        and contains(' ' || keyed.name_key || ' ', ' ' || names.name_key || ' ')
    where keyed.recipient_kind = 'named'

),

outermost_contained as (

    -- "HM Prison and Probation Service" contains "Probation Service": keep the outer name only
    select candidates.*
    from contained_candidates as candidates
    where not exists (
        select 1
        from contained_candidates as outer_candidates
        inner join names as outer_names
            on outer_candidates.organisation_key = outer_names.organisation_key
            and outer_candidates.name_key_tokens = outer_names.name_key_tokens
        inner join names as inner_names
            on candidates.organisation_key = inner_names.organisation_key
            and candidates.name_key_tokens = inner_names.name_key_tokens
        where outer_candidates.report_recipient_id = candidates.report_recipient_id
            and outer_candidates.organisation_key <> candidates.organisation_key
            and outer_candidates.name_key_tokens > candidates.name_key_tokens
            and contains(' ' || outer_names.name_key || ' ', ' ' || inner_names.name_key || ' ')
    )

),

contained_matches as (

    -- a piece that holds several listed names of three or more words ("Care Commissioning Group
    -- for Birmingham and Solihull, Care Quality Commission and Health and Safety Executive"),
    -- which the splitter could not separate, yields one row per organisation
    select distinct
        report_recipient_id,
        organisation_key,
        'contained_name' as resolution_method,
        0.8 as resolution_confidence
    from outermost_contained

),

listed_matches as (

    select * from exact_matches
    union all
    select * from without_nhs_matches
    union all
    select * from loose_matches
    union all
    select * from contained_matches

),

best_listed_match as (

    select *
    from listed_matches
    where resolution_method <> 'contained_name'
    qualify row_number() over (
        partition by report_recipient_id
        order by resolution_confidence desc, organisation_key
    ) = 1

    union all

    -- contained names only for pieces that nothing better resolved
    select contained_matches.*
    from contained_matches
    where report_recipient_id not in (
        select report_recipient_id from listed_matches where resolution_method <> 'contained_name'
    )

),

ruled as (

    select
        keyed.*,
        case
            when keyed.recipient_kind <> 'named' then null
            when regexp_matches(lower(recipient_name), '\b(council|borough|county council|city of london corporation)\b')
                then 'local_authority'
            when regexp_matches(lower(recipient_name), '\b(police|constabulary)\b') then 'police'
            when regexp_matches(lower(recipient_name), '\b(hmp|hmyoi|yoi|prison|prisons|probation|immigration removal centre)\b')
                then 'prison_probation'
            when regexp_matches(lower(recipient_name), '\b(integrated care board|icb|clinical commissioning group|ccg|health board)\b')
                then 'icb_health_board'
            when regexp_matches(lower(recipient_name), '\bmental health\b.*\b(nhs|trust)\b|\b(nhs|trust)\b.*\bmental health\b')
                then 'nhs_mental_health_trust'
            when regexp_matches(lower(recipient_name), '\bambulance\b.*\b(nhs|trust)\b') then 'nhs_ambulance_trust'
            when regexp_matches(lower(recipient_name), '\b(care home|nursing home|residential home|care centre|home care|homecare|care group|healthcare group|supported living|hospice)\b')
                then 'care_provider'
            when regexp_matches(lower(recipient_name), '\b(ltd|limited|plc|llp|inc|incorporated)\b\.?') then 'private_company'
            when regexp_matches(lower(recipient_name), '\b(university|school|academy)\b')
                and not regexp_matches(lower(recipient_name), '\b(hospital|hospitals|nhs)\b')
                then 'education'
            when regexp_matches(lower(recipient_name), '\b(department for|department of|ministry of)\b')
                then 'government_department'
        end as rule_organisation_type,
        -- a named piece of two or more words ("Fold Nightclub") or an acronym is taken as an
        -- unlisted organisation; a lone word ("Safeguarding", "London") is left unresolved
        regexp_matches(lower(recipient_name), {{ recipient_org_word_pattern() }})
            or regexp_matches(recipient_name, '^[A-Z][A-Za-z&''.-]*(\s+\S+)+$|^[A-Z]{2,8}$')
            as names_organisation
    from keyed

),

final as (

    select
        ruled.report_recipient_id || coalesce('@' || best_listed_match.organisation_key, '')
            as recipient_resolution_id,
        ruled.report_recipient_id,
        ruled.report_url,
        ruled.recipient_position,
        ruled.recipient_raw,
        ruled.recipient_name,
        ruled.job_title,
        ruled.recipient_kind,
        ruled.name_key as recipient_name_key,
        case
            when best_listed_match.organisation_key is not null then best_listed_match.organisation_key
            when ruled.recipient_kind = 'named' and (ruled.rule_organisation_type is not null or ruled.names_organisation)
                then 'name:' || {{ slugify('ruled.name_key') }}
        end as organisation_key,
        coalesce(organisations.canonical_name,
            case when ruled.recipient_kind = 'named' and (ruled.rule_organisation_type is not null or ruled.names_organisation)
                then ruled.recipient_name end) as organisation_name,
        coalesce(organisations.organisation_type,
            ruled.rule_organisation_type,
            case when ruled.recipient_kind = 'named' and ruled.names_organisation then 'other' end)
            as organisation_type,
        case
            when best_listed_match.organisation_key is not null then best_listed_match.resolution_method
            when ruled.recipient_kind <> 'named' then 'not_organisation_' || ruled.recipient_kind
            when ruled.rule_organisation_type is not null then 'unlisted_type_rule'
            when ruled.names_organisation then 'unlisted'
            else 'unresolved'
        end as resolution_method,
        case
            when best_listed_match.organisation_key is not null then best_listed_match.resolution_confidence
            when ruled.rule_organisation_type is not null then 0.6
            when ruled.names_organisation then 0.3
            else 0.0
        end as resolution_confidence,
        best_listed_match.organisation_key is not null as is_listed_organisation,
        organisations.ods_code,
        organisations.successor_organisation_key
    from ruled
    left join best_listed_match
        on ruled.report_recipient_id = best_listed_match.report_recipient_id
    left join organisations
        on best_listed_match.organisation_key = organisations.organisation_key

)

select * from final
