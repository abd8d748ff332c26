-- Question 7: for HSSIB (and, before October 2023, HSIB) national safety recommendations, per
-- recipient organisation in scope: recommendations received and how they stood when their pages
-- were captured, and the actions the organisation planned in its responses by what the response
-- says about them. Reads main.fct_safety_recommendations and main.fct_recommendation_actions.
-- Every status is as of the day the page was captured (captured_on; capped at the marts' as_of
-- date), never as of today: HSSIB updates a log page when a body reports progress, so a page
-- says nothing about what happened after it was captured. captured_from .. captured_to is the
-- range of capture days of the organisation's pages; is_capture_lower_bound = some of them are
-- lower bounds (capture_date_basis on_or_after: the offline replica, captured on or after that
-- day). stale_recommendations: pages captured more than var hssib_stale_after_days before as_of.
-- Status of a recommendation (response_status): responded | closed (HSSIB closed it without a
-- response) | not_captured (the stored page is cut off before any response) |
-- no_response_at_capture (no response when captured and no recommendation date shown, so the
-- 90-day clock cannot start) | awaiting_at_capture (no response when captured, under 90 days
-- after the recommendation date) | overdue_at_capture (no response when captured, 90 days or
-- more after it). unanswered = the last three (is_open).
-- Status of a planned action (action_status): reported_done | reported_delayed | in_progress
-- (the response's words, decided by the reviewed rule table seeds/hssib_reported_state_rules.csv;
-- state_rules_version is its version) | no_due_date (no update, no due date) |
-- due_after_capture (no update, due on or after the capture day: awaiting an update, not late) |
-- overdue_at_capture (no update, already due on the capture day) | not_yet_planned (the response
-- was received after as_of; left out of planned_actions). A joint recommendation's actions count
-- for each of its recipients.
-- Filters (DuckDB session variables, unset = no filter): org_types (the current organisation's
-- type unless as_named = true), org_keys (an organisation or its former names). since/until do
-- not apply: no recommendation date is published.
with recommendations_in_scope as (
    select recommendations.*
    from main.fct_safety_recommendations as recommendations
    left join main.dim_organisations as organisations
        on recommendations.organisation_key = organisations.organisation_key
    where
        (
            getvariable('org_types') is null
            or list_contains(
                getvariable('org_types'),
                if(
                    coalesce(getvariable('as_named')::boolean, false),
                    recommendations.organisation_type,
                    coalesce(
                        organisations.current_organisation_type, recommendations.organisation_type
                    )
                )
            )
        )
        and (
            getvariable('org_keys') is null
            or list_contains(getvariable('org_keys'), recommendations.organisation_key)
            or list_contains(getvariable('org_keys'), organisations.successor_organisation_key)
            or list_contains(getvariable('org_keys'), organisations.current_organisation_key)
        )
),

actions_in_scope as (
    select
        actions.action_id,
        actions.action_status,
        actions.state_rules_version,
        unnest(actions.organisation_keys) as organisation_key
    from main.fct_recommendation_actions as actions
    where actions.recommendation_id in (
        select recommendations_in_scope.recommendation_id from recommendations_in_scope
    )
),

action_counts as (
    select
        organisation_key,
        count(*) filter (where action_status <> 'not_yet_planned') as planned_actions,
        count(*) filter (where action_status = 'reported_done') as actions_reported_done,
        count(*) filter (where action_status = 'reported_delayed') as actions_reported_delayed,
        count(*) filter (where action_status = 'in_progress') as actions_in_progress,
        count(*) filter (where action_status = 'due_after_capture') as actions_due_after_capture,
        count(*) filter (where action_status = 'overdue_at_capture')
            as actions_overdue_at_capture,
        count(*) filter (where action_status = 'no_due_date') as actions_without_due_date,
        count(*) filter (where action_status = 'not_yet_planned') as actions_not_yet_planned,
        max(state_rules_version) as state_rules_version
    from actions_in_scope
    where organisation_key in (select organisation_key from recommendations_in_scope)
    group by organisation_key
),

recommendation_counts as (
    select
        organisation_key,
        any_value(organisation_name) as organisation_name,
        any_value(organisation_type) as organisation_type,
        count(*) as recommendations,
        count(*) filter (where response_status = 'responded') as responded,
        count(*) filter (where response_status = 'closed') as closed,
        count(*) filter (where response_status = 'not_captured') as not_captured,
        count(*) filter (where is_open) as unanswered,
        count(*) filter (where response_status = 'no_response_at_capture')
            as no_response_at_capture,
        count(*) filter (where response_status = 'awaiting_at_capture') as awaiting_at_capture,
        count(*) filter (where response_status = 'overdue_at_capture') as overdue_at_capture,
        count(*) filter (where is_capture_stale) as stale_recommendations,
        any_value(stale_after_days) as stale_after_days,
        median(days_to_response) as median_days_to_response,
        min(captured_on) as captured_from,
        max(captured_on) as captured_to,
        bool_or(capture_date_basis = 'on_or_after') as is_capture_lower_bound,
        any_value(as_of_date) as as_of_date
    from recommendations_in_scope
    group by organisation_key
)

select
    recommendation_counts.organisation_key,
    recommendation_counts.organisation_name,
    recommendation_counts.organisation_type,
    recommendation_counts.recommendations,
    recommendation_counts.responded,
    recommendation_counts.closed,
    recommendation_counts.not_captured,
    recommendation_counts.unanswered,
    recommendation_counts.no_response_at_capture,
    recommendation_counts.awaiting_at_capture,
    recommendation_counts.overdue_at_capture,
    recommendation_counts.median_days_to_response,
    coalesce(action_counts.planned_actions, 0) as planned_actions,
    coalesce(action_counts.actions_reported_done, 0) as actions_reported_done,
    coalesce(action_counts.actions_reported_delayed, 0) as actions_reported_delayed,
    coalesce(action_counts.actions_in_progress, 0) as actions_in_progress,
    coalesce(action_counts.actions_due_after_capture, 0) as actions_due_after_capture,
    coalesce(action_counts.actions_overdue_at_capture, 0) as actions_overdue_at_capture,
    coalesce(action_counts.actions_without_due_date, 0) as actions_without_due_date,
    coalesce(action_counts.actions_not_yet_planned, 0) as actions_not_yet_planned,
    action_counts.state_rules_version,
    recommendation_counts.captured_from,
    recommendation_counts.captured_to,
    recommendation_counts.is_capture_lower_bound,
    recommendation_counts.stale_recommendations,
    recommendation_counts.stale_after_days,
    recommendation_counts.as_of_date
from recommendation_counts
left join action_counts on recommendation_counts.organisation_key = action_counts.organisation_key
order by recommendation_counts.recommendations desc, recommendation_counts.organisation_name
