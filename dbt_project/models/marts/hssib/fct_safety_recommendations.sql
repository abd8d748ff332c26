-- One row per HSSIB/HSIB safety recommendation and recipient organisation (a joint
-- recommendation has one row per recipient; they share one response). Every status is as of
-- the day the page was captured (captured_on: the crawl that saw this content, or for the
-- offline replica a lower bound, capture_date_basis on_or_after), capped at the as_of variable:
-- known_on = the earlier of the two. A page says nothing about what happened after it.
--   responded               a response is shown (received on or before as_of, or undated text);
--   closed                  HSSIB closed the recommendation without a response (closure note);
--   not_captured            no response shown, but the stored copy is cut off, so one may exist;
--   no_response_at_capture  no response when captured, and no date to start the 90-day clock;
--   awaiting_at_capture     no response when captured, under var('hssib_response_window_days',
--                           90) days after the recommendation date;
--   overdue_at_capture      no response when captured, 90 days or more after it.
-- Clock start: the recommendation date, the only date that says when HSSIB made the
-- recommendation. No log page in the crawled data shows one, and investigation pages carry no
-- publication date, so the status is no_response_at_capture rather than a guess; the reference
-- year (R/2020/095) is not used because references are numbered before publication.
-- A capture older than var('hssib_stale_after_days') days on as_of is stale (is_capture_stale).

with

recommendations as (

    select * from {{ ref('stg_hssib_recommendations__recommendations') }}

),

recipients as (

    select * from {{ ref('int_hssib_recipients_resolved') }}

),

actions as (

    select * from {{ ref('fct_recommendation_actions') }}

),

action_counts as (

    select
        recommendation_id,
        count(*) as planned_action_count,
        count(*) filter (where action_status = 'reported_done') as actions_reported_done,
        count(*) filter (where action_status = 'reported_delayed') as actions_reported_delayed,
        count(*) filter (where action_status = 'in_progress') as actions_in_progress,
        count(*) filter (where action_status = 'due_after_capture')
            as actions_due_after_capture,
        count(*) filter (where action_status = 'overdue_at_capture')
            as actions_overdue_at_capture,
        count(*) filter (where action_status = 'no_due_date') as actions_without_due_date
    from actions
    group by recommendation_id

),

dated as (

    select
        recommendations.*,
        least(recommendations.captured_on, {{ as_of_date() }}) as known_on,
        recommendations.recommendation_date as clock_start_date,
        case
            when recommendations.recommendation_date is not null
                then 'recommendation_date'
        end as clock_start_basis,
        recommendations.has_response
        and (
            recommendations.response_received_date is null
            or recommendations.response_received_date <= {{ as_of_date() }})
            as has_response_as_of
    from recommendations

),

statused as (

    select
        *,
        cast(clock_start_date + to_days({{ var('hssib_response_window_days', 90) }}) as date)
            as response_due_date,
        case
            when has_response_as_of then 'responded'
            when is_closed_without_response then 'closed'
            when is_record_cut_off then 'not_captured'
            when clock_start_date is null then 'no_response_at_capture'
            when
                known_on
                < clock_start_date + to_days({{ var('hssib_response_window_days', 90) }})
                then 'awaiting_at_capture'
            else 'overdue_at_capture'
        end as response_status
    from dated

),

final as (

    select
        md5(statused.recommendation_id || '|' || recipients.recipient_position)
            as safety_recommendation_key,
        statused.recommendation_id,
        statused.investigation_id,
        statused.investigation_title,
        statused.reference,
        recipients.recipient_position,
        recipients.recipient_name,
        statused.recipient_count,
        statused.recipient_count > 1 as is_joint_recommendation,
        recipients.organisation_key,
        recipients.organisation_name,
        recipients.organisation_type,
        recipients.resolution_method,
        recipients.resolution_confidence,
        recipients.is_listed_organisation,
        recipients.is_in_dim_organisations,
        statused.recommendation_date,
        statused.clock_start_date,
        statused.clock_start_basis,
        statused.response_due_date,
        statused.has_response,
        statused.response_received_date,
        date_diff('day', statused.clock_start_date, statused.response_received_date)
            as days_to_response,
        statused.is_closed_without_response,
        statused.is_record_cut_off,
        statused.truncated_in,
        statused.response_status,
        statused.response_status in (
            'awaiting_at_capture', 'overdue_at_capture', 'no_response_at_capture'
        ) as is_open,
        case
            when statused.response_status = 'overdue_at_capture'
                then date_diff('day', statused.response_due_date, statused.known_on)
        end as days_overdue_at_capture,
        statused.captured_on,
        statused.capture_date_basis,
        statused.known_on,
        date_diff('day', statused.captured_on, {{ as_of_date() }}) as capture_age_days,
        date_diff('day', statused.captured_on, {{ as_of_date() }})
        > {{ var('hssib_stale_after_days') }} as is_capture_stale,
        {{ var('hssib_stale_after_days') }} as stale_after_days,
        coalesce(action_counts.planned_action_count, 0) as planned_action_count,
        coalesce(action_counts.actions_reported_done, 0) as actions_reported_done,
        coalesce(action_counts.actions_reported_delayed, 0) as actions_reported_delayed,
        coalesce(action_counts.actions_in_progress, 0) as actions_in_progress,
        coalesce(action_counts.actions_due_after_capture, 0) as actions_due_after_capture,
        coalesce(action_counts.actions_overdue_at_capture, 0) as actions_overdue_at_capture,
        coalesce(action_counts.actions_without_due_date, 0) as actions_without_due_date,
        statused.log_url,
        statused.page_path,
        statused.recommendation_text,
        statused.response_text,
        statused.closure_note,
        {{ as_of_date() }} as as_of_date
    from statused
    inner join recipients on statused.recommendation_id = recipients.recommendation_id
    left join action_counts on statused.recommendation_id = action_counts.recommendation_id

)

select * from final
