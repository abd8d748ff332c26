-- Each recipient named by a safety recommendation, resolved to the same organisation keys as
-- coroners' report recipients. HSSIB names its recipients in full ("NHS England", "the Medicines
-- and Healthcare products Regulatory Agency"), so the exact forms of int_recipients_resolved are
-- enough and the looser ones (spelling, trimming, splitting) are not used: the name as written
-- (org_name_key, with and without its bracketed part) 0.99/0.98, then without a leading "NHS"
-- 0.95, matched against every listed name, alias and undated variant in
-- int_organisation_names_unioned. Two organisations equally matched is left unresolved. A name
-- no listed organisation matches becomes an unlisted organisation keyed name:<normalised name>,
-- the same key int_recipients_resolved gives it, so coroners' reports to it line up.

with

recommendations as (

    select
        recommendation_id,
        recipients
    from {{ ref('stg_hssib_recommendations__recommendations') }}

),

names as (

    select * from {{ ref('int_organisation_names_unioned') }}
    -- dated names are hospital sites whose trust changed; HSSIB addresses national bodies
    where valid_from is null and valid_to is null

),

organisations as (

    select * from {{ ref('int_organisations_unioned') }}

),

-- unlisted organisations already named in coroners' reports, with the name and type they are
-- seen with most often (ties broken alphabetically, so every build agrees)
unlisted_in_reports as (

    select
        organisation_key,
        organisation_name as canonical_name,
        organisation_type
    from {{ ref('int_recipients_resolved') }}
    where organisation_key like 'name:%'
    group by organisation_key, organisation_name, organisation_type
    qualify row_number() over (
        partition by organisation_key
        order by count(*) desc, organisation_name asc, organisation_type asc nulls last
    ) = 1

),

recipients as (

    select
        recommendation_id,
        unnest(recipients) as recipient_name,
        generate_subscripts(recipients, 1) as recipient_position
    from recommendations

),

keyed as (

    select
        *,
        {{ org_name_key('recipient_name') }} as name_key,
        {{ org_name_key('recipient_name', strip_brackets=false) }} as name_key_with_brackets
    from recipients

),

forms as (

    select
        recommendation_id,
        recipient_position,
        name_key as form_key,
        'as_written' as form_kind,
        case when name_key = name_key_with_brackets then 0.99 else 0.98 end as form_confidence
    from keyed

    union all

    select
        recommendation_id,
        recipient_position,
        name_key_with_brackets as form_key,
        'as_written_with_brackets' as form_kind,
        0.99 as form_confidence
    from keyed
    where name_key_with_brackets <> name_key

    union all

    select
        recommendation_id,
        recipient_position,
        regexp_replace(name_key, '^nhs ', '') as form_key,
        'without_nhs' as form_kind,
        0.95 as form_confidence
    from keyed
    where name_key like 'nhs %'

),

matches as (

    select
        forms.recommendation_id,
        forms.recipient_position,
        names.organisation_key,
        case
            when forms.form_kind = 'without_nhs' then 'exact_name_without_nhs'
            when names.name_source = 'alias' then 'alias'
            when names.name_source like 'variant_%' then 'name_variant'
            else 'exact_name'
        end as resolution_method,
        forms.form_confidence as resolution_confidence
    from forms
    inner join names on forms.form_key = names.name_key

),

most_trusted_matches as (

    select *
    from matches
    qualify resolution_confidence = max(resolution_confidence) over (
        partition by recommendation_id, recipient_position
    )

),

best_match as (

    -- two organisations equally trusted is no answer at all: unlisted beats a guess
    select
        recommendation_id,
        recipient_position,
        any_value(organisation_key) as organisation_key,
        min(resolution_method) as resolution_method,
        max(resolution_confidence) as resolution_confidence
    from most_trusted_matches
    group by recommendation_id, recipient_position
    having count(distinct organisation_key) = 1

),

final as (

    select
        keyed.recommendation_id,
        keyed.recipient_position,
        keyed.recipient_name,
        keyed.name_key as recipient_name_key,
        coalesce(best_match.organisation_key, 'name:' || {{ slugify('keyed.name_key') }})
            as organisation_key,
        coalesce(
            organisations.canonical_name, unlisted_in_reports.canonical_name,
            keyed.recipient_name
        ) as organisation_name,
        coalesce(organisations.organisation_type, unlisted_in_reports.organisation_type, 'other')
            as organisation_type,
        coalesce(best_match.resolution_method, 'unlisted') as resolution_method,
        coalesce(best_match.resolution_confidence, 0.3) as resolution_confidence,
        best_match.organisation_key is not null as is_listed_organisation,
        best_match.organisation_key is not null
        or unlisted_in_reports.organisation_key is not null as is_in_dim_organisations
    from keyed
    left join best_match
        on
            keyed.recommendation_id = best_match.recommendation_id
            and keyed.recipient_position = best_match.recipient_position
    left join organisations on best_match.organisation_key = organisations.organisation_key
    left join unlisted_in_reports
        on
            coalesce(best_match.organisation_key, 'name:' || {{ slugify('keyed.name_key') }})
            = unlisted_in_reports.organisation_key

)

select * from final
