-- One row per action a recipient planned in its response to a safety recommendation, with what
-- the response says about it and how it stood on the day the page was captured.
-- Everything here is "as of the capture" (captured_on: the crawl that saw this content, or for
-- the offline replica a lower bound, capture_date_basis on_or_after), never as of today: HSSIB
-- updates a log page when the body reports progress, so a page says nothing about what happened
-- after it was captured. known_on = the earlier of captured_on and the as_of variable.
-- reported_state (int_hssib_action_states): reported_done | reported_delayed | in_progress |
-- no_update, with the sentence that decided it.
-- action_status, first that applies:
--   not_yet_planned     the response holding the action was received after as_of;
--   reported_done       the response says it was done;
--   reported_delayed    the response says it is delayed or cannot go ahead yet;
--   in_progress         the response reports progress (days_past_due_at_capture says if its
--                       due date had already passed);
--   no_due_date         no update, and no parseable due date;
--   due_after_capture   no update, due on or after known_on: awaiting an update, not late;
--   overdue_at_capture  no update, already due on known_on (days counted to known_on; with an
--                       on_or_after capture, at least that many).

with

actions as (

    select * from {{ ref('stg_hssib_recommendations__actions') }}

),

states as (

    select * from {{ ref('int_hssib_action_states') }}

),

recommendations as (

    select
        *,
        least(captured_on, {{ as_of_date() }}) as known_on
    from {{ ref('stg_hssib_recommendations__recommendations') }}

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

dated as (

    select
        actions.*,
        states.reported_state,
        states.reported_state_rule_id,
        states.reported_state_evidence,
        states.reported_state_evidence_source,
        states.state_rules_version,
        recommendations.investigation_id,
        recommendations.investigation_title,
        recommendations.reference,
        recommendations.log_url,
        recommendations.page_path,
        recommendations.response_received_date,
        recommendations.captured_on,
        recommendations.capture_date_basis,
        recommendations.known_on,
        recommendations.is_record_cut_off,
        recommendations.truncated_in,
        coalesce(recommendations.response_received_date > {{ as_of_date() }}, false)
            as is_planned_after_as_of,
        case
            when actions.due_date is null then 'no_due_date'
            when actions.due_date >= recommendations.known_on then 'due_after_capture'
            else 'due_by_capture'
        end as due_at_capture
    from actions
    inner join recommendations on actions.recommendation_id = recommendations.recommendation_id
    left join states on actions.action_id = states.action_id

),

final as (

    select
        dated.action_id,
        dated.recommendation_id,
        dated.investigation_id,
        dated.investigation_title,
        dated.reference,
        recipients.organisation_keys,
        recipients.organisation_names,
        dated.response_received_date,
        dated.action_position,
        dated.action_text,
        dated.action_description,
        dated.additional_comments,
        dated.due_text,
        dated.due_rule,
        dated.due_date,
        dated.reported_state,
        dated.reported_state_rule_id,
        dated.reported_state_evidence,
        dated.reported_state_evidence_source,
        dated.state_rules_version,
        dated.captured_on,
        dated.capture_date_basis,
        dated.known_on,
        dated.due_at_capture,
        case
            when dated.is_planned_after_as_of then 'not_yet_planned'
            when dated.reported_state <> 'no_update' then dated.reported_state
            when dated.due_at_capture = 'no_due_date' then 'no_due_date'
            when dated.due_at_capture = 'due_after_capture' then 'due_after_capture'
            else 'overdue_at_capture'
        end as action_status,
        case
            when
                not dated.is_planned_after_as_of
                and dated.due_at_capture = 'due_by_capture'
                and dated.reported_state <> 'reported_done'
                then date_diff('day', dated.due_date, dated.known_on)
        end as days_past_due_at_capture,
        -- the last action of a record cut off in its actions may be incomplete, and more may follow
        dated.is_record_cut_off
        and dated.truncated_in = 'actions'
        and dated.action_position = last_action.last_position as is_text_cut_off,
        dated.log_url,
        dated.page_path,
        {{ as_of_date() }} as as_of_date
    from dated
    left join recipients on dated.recommendation_id = recipients.recommendation_id
    left join last_action on dated.recommendation_id = last_action.recommendation_id

)

select * from final
