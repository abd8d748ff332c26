-- Question 7: for HSSIB (and, before October 2023, HSIB) national safety recommendations, per
-- recipient organisation in scope: recommendations received, how many the organisation has
-- answered, how many are unanswered and whether 90 days have passed, and how many of the actions
-- it planned in its responses are past their due date. Reads main.fct_safety_recommendations and
-- main.fct_recommendation_actions; statuses are as of the marts' as_of date (as_of_date).
-- Status of a recommendation: responded | closed (HSSIB closed it without a response) |
-- overdue (no response 90+ days after the recommendation date) | awaiting (under 90 days) |
-- no_date (no response, and the page shows no recommendation date: the 90-day clock cannot
-- start, so it is open but not called overdue) | not_captured (the stored page is cut off
-- before any response). An action is past due when its due date (the end of the period named,
-- "by Autumn 2025" = 30 November 2025) is before as_of; HSSIB publishes no completion status.
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
        actions.due_status,
        unnest(actions.organisation_keys) as organisation_key
    from main.fct_recommendation_actions as actions
    where actions.recommendation_id in (
        select recommendations_in_scope.recommendation_id from recommendations_in_scope
    )
),

action_counts as (
    select
        organisation_key,
        count(*) filter (where due_status <> 'not_yet_planned') as planned_actions,
        count(*) filter (where due_status = 'past_due') as actions_past_due,
        count(*) filter (where due_status = 'not_yet_due') as actions_not_yet_due,
        count(*) filter (where due_status = 'no_due_date') as actions_without_due_date
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
        count(*) filter (where is_open) as unanswered,
        count(*) filter (where response_status = 'overdue') as overdue,
        count(*) filter (where response_status = 'awaiting') as awaiting,
        count(*) filter (where response_status = 'no_date') as unanswered_no_date,
        count(*) filter (where response_status = 'not_captured') as not_captured,
        count(*) filter (where response_status = 'closed') as closed,
        median(days_to_response) as median_days_to_response,
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
    recommendation_counts.unanswered,
    recommendation_counts.overdue,
    recommendation_counts.awaiting,
    recommendation_counts.unanswered_no_date,
    recommendation_counts.not_captured,
    recommendation_counts.closed,
    recommendation_counts.median_days_to_response,
    coalesce(action_counts.planned_actions, 0) as planned_actions,
    coalesce(action_counts.actions_past_due, 0) as actions_past_due,
    coalesce(action_counts.actions_not_yet_due, 0) as actions_not_yet_due,
    coalesce(action_counts.actions_without_due_date, 0) as actions_without_due_date,
    recommendation_counts.as_of_date
from recommendation_counts
left join action_counts on recommendation_counts.organisation_key = action_counts.organisation_key
order by recommendation_counts.recommendations desc, recommendation_counts.organisation_name
