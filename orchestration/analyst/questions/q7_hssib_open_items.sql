-- Question 7, item list: for the organisations in scope, each HSSIB/HSIB recommendation not
-- answered (status overdue, awaiting, no_date or not_captured) and each planned action past its
-- due date, as of the marts' as_of date. Same statuses and filters as q7_hssib_recommendations.sql
-- (org_types, org_keys; since/until do not apply).
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

open_recommendations as (
    select
        organisation_key,
        organisation_name,
        'recommendation' as item_kind,
        investigation_title,
        reference,
        response_status as status,
        null::varchar as due_text,
        response_due_date as due_date,
        null::integer as days_past_due,
        recommendation_text as item_text,
        log_url
    from recommendations_in_scope
    where response_status in ('overdue', 'awaiting', 'no_date', 'not_captured')
),

past_due_actions as (
    select
        recommendations_in_scope.organisation_key,
        recommendations_in_scope.organisation_name,
        'action' as item_kind,
        actions.investigation_title,
        actions.reference,
        actions.due_status as status,
        actions.due_text,
        actions.due_date,
        actions.days_past_due,
        actions.action_description as item_text,
        recommendations_in_scope.log_url
    from main.fct_recommendation_actions as actions
    inner join recommendations_in_scope
        on actions.recommendation_id = recommendations_in_scope.recommendation_id
    where actions.due_status = 'past_due'
)

select * from open_recommendations
union all
select * from past_due_actions
order by organisation_name, item_kind desc, due_date nulls last, investigation_title
