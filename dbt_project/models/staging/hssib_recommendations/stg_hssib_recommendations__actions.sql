-- One row per planned action listed under a recommendation's response, in page order. The due
-- date is the END of the period the page names ("by Autumn 2025" -> 2025-11-30), as parsed by the
-- spider; due_rule says which rule applied (month, season, range, ...); null when none parsed.

with

recommendations as (

    select
        recommendation_id,
        planned_actions
    from {{ ref('stg_hssib_recommendations__recommendations') }}
    where planned_action_count > 0

),

actions as (

    select
        recommendation_id,
        unnest(cast(planned_actions as json[])) as planned_action
    from recommendations

),

final as (

    select
        md5(recommendation_id || '|' || (planned_action ->> 'position')) as action_id,
        recommendation_id,
        cast(planned_action ->> 'position' as integer) as action_position,
        planned_action ->> 'text' as action_text,
        planned_action ->> 'description' as action_description,
        planned_action ->> 'due_text' as due_text,
        try_cast(planned_action ->> 'due_date' as date) as due_date,
        planned_action ->> 'due_rule' as due_rule,
        planned_action ->> 'additional_comments' as additional_comments
    from actions

)

select * from final
