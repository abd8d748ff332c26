-- Every listed organisation a recipient can resolve to: NHS trusts from the ODS etr file (keyed
-- ods:<code>) and the curated non-trust bodies (keyed nb:<slug>), each with the body that answers
-- for it now. Trusts closed since 2013 that are missing from the etr file are added from the
-- successor list so that a report addressed to them still resolves.
--
-- The current body: closures and mergers are dated steps (nhs_trust_successors for trusts; the
-- closed_on / successor_key columns of curated_organisations for other bodies). A step applies
-- once its closure date is on or before the as_of date, and the chain is followed step by step
-- (the successor's own next closure after the step) to its end. A body that closed with no
-- successor ends its chain: it stays its own current organisation, is_current false. Renames
-- keep the key (the ODS code; a curated alias), so a renamed body is its own current body under
-- its current name. The chain's confidence is the weakest step's (high > medium > low >
-- unknown; a closure with no named successor counts as unknown unless the list says otherwise).
--
-- One code can name two bodies in turn (RYK: Dudley and Walsall Mental Health Partnership until
-- 2020, then Dudley Integrated Health and Care until 2024): every closure of a code is an era,
-- listed in successor_eras, and a recipient picks the era of its report date
-- (int_recipients_resolved). The columns current_* here are the organisation's current body
-- without a report date: itself while it exists, else its last era's.

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

    select distinct on (predecessor_code)
        predecessor_code as ods_code,
        predecessor_name as name,
        'England' as country,
        null as trust_type_derived,
        'closed' as status,
        close_date_etr as close_date
    from successors
    where predecessor_code not in (select ods_code from trusts)
    order by predecessor_code, close_date_etr

),

all_trusts as (

    select
        ods_code,
        name,
        country,
        trust_type_derived,
        status_at_2026_07 as status,
        close_date
    from trusts
    union all
    select * from closed_trusts_missing_from_etr

),

trust_typed as (

    select
        *,
        -- the hand-derived type, except where the trust's own ODS name says its function (a few
        -- mental health trusts closed before 2013 are typed acute in the classified file)
        case
            when name ilike '%ambulance%' then 'nhs_ambulance_trust'
            when name ilike '%mental health%' or name ilike '%learning disabilit%'
                then 'nhs_mental_health_trust'
            when trust_type_derived = 'mental_health' then 'nhs_mental_health_trust'
            when trust_type_derived = 'ambulance' then 'nhs_ambulance_trust'
            when trust_type_derived in ('acute', 'acute_specialist') then 'nhs_acute_trust'
            when trust_type_derived = 'community' then 'nhs_community_trust'
            when trust_type_derived is null and name ilike '%community%' then 'nhs_community_trust'
            when trust_type_derived is null and name ilike '%hospital%' then 'nhs_acute_trust'
            else 'other'
        end as organisation_type
    from all_trusts

),

-- every dated closure, with the body that took over (null: none named)
steps as (

    select
        'ods:' || predecessor_code as predecessor_key,
        cast(strptime(close_date_etr, '%Y%m%d') as date) as closed_on,
        'ods:' || nullif(successor_code, '') as successor_key,
        coalesce(nullif(confidence, ''), 'unknown') as confidence
    from successors
    where nullif(close_date_etr, '') is not null

    union all

    select
        organisation_key,
        cast(closed_on as date),
        nullif(successor_key, ''),
        coalesce(nullif(successor_confidence, ''), 'unknown')
    from curated
    where nullif(closed_on, '') is not null

),

applied_steps as (

    select
        *,
        predecessor_key || '@' || strftime(closed_on, '%Y-%m-%d') as step_id,
        case confidence when 'high' then 4 when 'medium' then 3 when 'low' then 2 else 1 end
            as confidence_rank
    from steps
    where closed_on <= {{ as_of_date() }}

),

-- the successor's next closure after the step: the chain's next link
next_steps as (

    select
        step.step_id,
        next_step.step_id as next_step_id
    from applied_steps as step
    inner join applied_steps as next_step
        on
            step.successor_key = next_step.predecessor_key
            and step.closed_on < next_step.closed_on
    qualify row_number() over (
        partition by step.step_id order by next_step.closed_on, next_step.step_id
    ) = 1

),

chain as (

    select
        step_id as first_step_id,
        step_id,
        confidence_rank,
        1 as depth,
        cast(successor_key is not null as integer) as moves
    from applied_steps

    union all

    select
        chain.first_step_id,
        next_steps.next_step_id,
        least(chain.confidence_rank, next_step.confidence_rank),
        chain.depth + 1,
        chain.moves + cast(next_step.successor_key is not null as integer)
    from chain
    inner join next_steps on chain.step_id = next_steps.step_id
    inner join applied_steps as next_step on next_steps.next_step_id = next_step.step_id
    where chain.depth < 10

),

chain_ends as (

    select
        first_step.predecessor_key,
        first_step.closed_on,
        -- a closure with no successor leaves the last body standing as its own current body
        coalesce(last_step.successor_key, last_step.predecessor_key) as current_organisation_key,
        case chain.confidence_rank
            when 4 then 'high' when 3 then 'medium' when 2 then 'low' else 'unknown'
        end as current_organisation_confidence,
        -- steps that moved to another body (a closure with none ends the chain in place)
        chain.moves as successor_steps
    from chain
    inner join applied_steps as first_step on chain.first_step_id = first_step.step_id
    inner join applied_steps as last_step on chain.step_id = last_step.step_id
    qualify row_number() over (partition by chain.first_step_id order by chain.depth desc) = 1

),

eras as (

    select
        predecessor_key as organisation_key,
        list(
            {
                'closed_on': closed_on,
                'current_organisation_key': current_organisation_key,
                'current_organisation_confidence': current_organisation_confidence,
                'successor_steps': successor_steps
            }
            order by closed_on, current_organisation_key
        ) as successor_eras,
        -- one closure per code and date (a test on nhs_trust_successors): no ties below
        arg_max(current_organisation_key, closed_on) as last_current_organisation_key,
        arg_max(current_organisation_confidence, closed_on) as last_current_confidence,
        arg_max(successor_steps, closed_on) as last_successor_steps,
        max(closed_on) as last_closed_on
    from chain_ends
    group by predecessor_key

),

trust_rows as (

    select
        'ods:' || ods_code as organisation_key,
        name as canonical_name,
        organisation_type,
        country,
        ods_code,
        status = 'active' as is_active,
        cast(strptime(nullif(close_date, ''), '%Y%m%d') as date) as closed_on,
        'ods_etr' as listing_source
    from trust_typed

),

curated_rows as (

    select
        organisation_key,
        canonical_name,
        organisation_type,
        country,
        nullif(ods_code, '') as ods_code,
        nullif(closed_on, '') is null as is_active,
        cast(nullif(closed_on, '') as date) as closed_on,
        'curated' as listing_source
    from curated

),

listed as (

    select * from trust_rows
    union all
    select * from curated_rows

),

dated as (

    select
        listed.*,
        -- a trust marked closed without a close date takes the date of its last closure step
        coalesce(listed.closed_on, eras.last_closed_on) as closed_until,
        eras.successor_eras,
        eras.last_current_organisation_key,
        eras.last_current_confidence,
        eras.last_successor_steps
    from listed
    left join eras on listed.organisation_key = eras.organisation_key

),

currented as (

    select
        *,
        coalesce(closed_until > {{ as_of_date() }}, true) as is_current,
        case
            when coalesce(closed_until > {{ as_of_date() }}, true) then organisation_key
            else coalesce(last_current_organisation_key, organisation_key)
        end as current_organisation_key,
        case
            when coalesce(closed_until > {{ as_of_date() }}, true) then 'high'
            else coalesce(last_current_confidence, 'unknown')
        end as current_organisation_confidence,
        case
            when coalesce(closed_until > {{ as_of_date() }}, true) then 0
            else coalesce(last_successor_steps, 0)
        end as successor_steps
    from dated

),

final as (

    select
        currented.organisation_key,
        currented.canonical_name,
        currented.organisation_type,
        currented.country,
        currented.ods_code,
        currented.is_active,
        currented.closed_until as closed_on,
        currented.is_current,
        currented.current_organisation_key,
        current_body.canonical_name as current_organisation_name,
        current_body.organisation_type as current_organisation_type,
        currented.current_organisation_confidence,
        currented.successor_steps,
        coalesce(currented.successor_eras, []) as successor_eras,
        -- the names before current_* existed; kept for the analyst questions that use them
        currented.current_organisation_key as successor_organisation_key,
        case when currented.successor_steps > 0 then currented.current_organisation_confidence end
            as successor_confidence,
        currented.listing_source
    from currented
    inner join currented as current_body
        on currented.current_organisation_key = current_body.organisation_key

)

select * from final
