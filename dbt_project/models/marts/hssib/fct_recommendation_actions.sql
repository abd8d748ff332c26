-- One row per action a recipient planned in its response to a safety recommendation, with its
-- due date and whether it is past due as of the as_of variable:
--   past_due        the due date (end of the named period) is before as_of;
--   not_yet_due     the due date is on or after as_of;
--   no_due_date     the page gives no parseable due date;
--   not_yet_planned the response holding the action was received after as_of.
-- HSSIB publishes no completion status for actions, so past_due means the due date has passed,
-- not that the action is known to be unfinished.

with

actions as (

    select * from {{ ref('stg_hssib_recommendations__actions') }}

),

recommendations as (

    select * from {{ ref('stg_hssib_recommendations__recommendations') }}

),

recipients as (

    select
        recommendation_id,
        list(organisation_key order by recipient_position) as organisation_keys,
        list(organisation_name order by recipient_position) as organisation_names
    from {{ ref('int_hssib_recipients_resolved') }}
    group by recommendation_id

),

last_action as (

    select
        recommendation_id,
        max(action_position) as last_position
    from actions
    group by recommendation_id

),

final as (

    select
        actions.action_id,
        actions.recommendation_id,
        recommendations.investigation_id,
        recommendations.investigation_title,
        recommendations.reference,
        recipients.organisation_keys,
        recipients.organisation_names,
        recommendations.response_received_date,
        actions.action_position,
        actions.action_text,
        actions.action_description,
        actions.additional_comments,
        actions.due_text,
        actions.due_rule,
        actions.due_date,
        case
            when recommendations.response_received_date > {{ as_of_date() }} then 'not_yet_planned'
            when actions.due_date is null then 'no_due_date'
            when actions.due_date < {{ as_of_date() }} then 'past_due'
            else 'not_yet_due'
        end as due_status,
        case
            when recommendations.response_received_date > {{ as_of_date() }} then null
            when actions.due_date is not null then actions.due_date < {{ as_of_date() }}
        end as is_past_due,
        case
            when actions.due_date < {{ as_of_date() }}
                then date_diff('day', actions.due_date, {{ as_of_date() }})
        end as days_past_due,
        -- the last action of a record cut off in its actions may be incomplete, and more may follow
        recommendations.is_record_cut_off
        and recommendations.truncated_in = 'actions'
        and actions.action_position = last_action.last_position as is_text_cut_off,
        {{ as_of_date() }} as as_of_date
    from actions
    inner join recommendations on actions.recommendation_id = recommendations.recommendation_id
    left join recipients on actions.recommendation_id = recipients.recommendation_id
    left join last_action on actions.recommendation_id = last_action.recommendation_id

)

select * from final
