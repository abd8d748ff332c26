-- Every listed organisation a recipient can resolve to: NHS trusts from the ODS etr file (keyed
-- ods:<code>, with their current successor after mergers) and the curated non-trust bodies
-- (keyed nb:<slug>). Trusts closed since 2013 that are missing from the etr file are added
-- from the successor list so that a report addressed to them still resolves.

with recursive

trusts as (

    select * from {{ ref('nhs_trusts') }}

),

successors as (

    select * from {{ ref('nhs_trust_successors') }}

),

curated as (

    select * from {{ ref('curated_organisations') }}

),

closed_trusts_missing_from_etr as (

    select
        predecessor_code as ods_code,
        predecessor_name as name,
        'England' as country,
        null as trust_type_derived,
        'closed' as status
    from successors
    where predecessor_code not in (select ods_code from trusts)

),

all_trusts as (

    select
        ods_code,
        name,
        country,
        trust_type_derived,
        status_at_2026_07 as status
    from trusts
    union all
    select * from closed_trusts_missing_from_etr

),

trust_typed as (

    select
        *,
        case
            when trust_type_derived = 'mental_health' then 'nhs_mental_health_trust'
            when trust_type_derived = 'ambulance' then 'nhs_ambulance_trust'
            when trust_type_derived in ('acute', 'acute_specialist') then 'nhs_acute_trust'
            when trust_type_derived = 'community' then 'nhs_community_trust'
            when name ilike '%ambulance%' then 'nhs_ambulance_trust'
            when trust_type_derived is null and name ilike '%mental health%' then 'nhs_mental_health_trust'
            when trust_type_derived is null and name ilike '%community%' then 'nhs_community_trust'
            when trust_type_derived is null and name ilike '%hospital%' then 'nhs_acute_trust'
            else 'other'
        end as organisation_type
    from all_trusts

),

-- follow closures to the trust that exists today (chains such as RTV -> RW4 are short)
successor_chain as (

    select
        predecessor_code as ods_code,
        successor_code,
        confidence,
        1 as depth
    from successors
    where nullif(successor_code, '') is not null

    union all

    select
        chain.ods_code,
        next_step.successor_code,
        chain.confidence,
        chain.depth + 1
    from successor_chain as chain
    inner join successors as next_step
        on chain.successor_code = next_step.predecessor_code
    where
        nullif(next_step.successor_code, '') is not null
        and chain.depth < 6

),

current_successor as (

    select
        ods_code,
        arg_max(successor_code, depth) as successor_code,
        arg_min(confidence, depth) as successor_confidence
    from successor_chain
    group by ods_code

),

trust_rows as (

    select
        'ods:' || trust_typed.ods_code as organisation_key,
        trust_typed.name as canonical_name,
        trust_typed.organisation_type,
        trust_typed.country,
        trust_typed.ods_code,
        trust_typed.status = 'active' as is_active,
        coalesce('ods:' || current_successor.successor_code, 'ods:' || trust_typed.ods_code)
            as successor_organisation_key,
        current_successor.successor_confidence,
        'ods_etr' as listing_source
    from trust_typed
    left join current_successor
        on trust_typed.ods_code = current_successor.ods_code

),

curated_rows as (

    select
        organisation_key,
        canonical_name,
        organisation_type,
        country,
        nullif(ods_code, '') as ods_code,
        true as is_active,
        organisation_key as successor_organisation_key,
        null as successor_confidence,
        'curated' as listing_source
    from curated

),

final as (

    select * from trust_rows
    union all
    select * from curated_rows

)

select * from final
