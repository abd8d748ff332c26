-- Question 7, item list: for the organisations in scope, each HSSIB/HSIB recommendation that had
-- no response when its page was captured (status no_response_at_capture, awaiting_at_capture,
-- overdue_at_capture, or not_captured: the stored page is cut off before any response), and each
-- planned action whose response reports it overdue_at_capture (already due on the capture day, no
-- update), reported_delayed, in_progress or due_after_capture (no update, due after the capture:
-- awaiting an update, not late), plus those reported_done, listed with the sentence that decided
-- it so a reader can check the claim. Actions with no update and no due date (no_due_date) and
-- actions planned after as_of (not_yet_planned) are counted by q7_hssib_recommendations.sql, not
-- listed. Every status is as of the capture day of the item's page (captured_on, with
-- capture_date_basis: crawl, or on_or_after when the day is a lower bound), never as of today.
-- days_past_due_at_capture: for a recommendation overdue_at_capture, days from its response due
-- date to the capture day; for an action due before the capture day and not reported done, days
-- from its due date to the capture day (at least that many with an on_or_after capture).
-- evidence: the deciding sentence verbatim (scraped text: escape it before showing it).
-- Same statuses and filters as q7_hssib_recommendations.sql (org_types, org_keys, as_named;
-- since/until do not apply).
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

unanswered_recommendations as (
    select
        organisation_key,
        organisation_name,
        'recommendation' as item_kind,
        investigation_title,
        reference,
        null::integer as action_position,
        response_status as status,
        null::varchar as due_text,
        response_due_date as due_date,
        days_overdue_at_capture as days_past_due_at_capture,
        null::varchar as evidence,
        null::varchar as evidence_source,
        null::varchar as evidence_rule_id,
        recommendation_text as item_text,
        is_record_cut_off as is_text_cut_off,
        captured_on,
        capture_date_basis,
        log_url,
        page_path
    from recommendations_in_scope
    where
        response_status in (
            'overdue_at_capture', 'awaiting_at_capture', 'no_response_at_capture', 'not_captured'
        )
),

listed_actions as (
    select
        recommendations_in_scope.organisation_key,
        recommendations_in_scope.organisation_name,
        'action' as item_kind,
        actions.investigation_title,
        actions.reference,
        actions.action_position,
        actions.action_status as status,
        actions.due_text,
        actions.due_date,
        actions.days_past_due_at_capture,
        actions.reported_state_evidence as evidence,
        actions.reported_state_evidence_source as evidence_source,
        actions.reported_state_rule_id as evidence_rule_id,
        actions.action_description as item_text,
        actions.is_text_cut_off,
        actions.captured_on,
        actions.capture_date_basis,
        actions.log_url,
        actions.page_path
    from main.fct_recommendation_actions as actions
    inner join recommendations_in_scope
        on actions.recommendation_id = recommendations_in_scope.recommendation_id
    where
        actions.action_status in (
            'overdue_at_capture',
            'reported_delayed',
            'in_progress',
            'due_after_capture',
            'reported_done'
        )
),

items as (
    select * from unanswered_recommendations
    union all
    select * from listed_actions
)

select *
from items
order by
    organisation_name,
    organisation_key,
    item_kind desc,
    list_position(
        [
            'overdue_at_capture',
            'awaiting_at_capture',
            'no_response_at_capture',
            'not_captured',
            'reported_delayed',
            'in_progress',
            'due_after_capture',
            'reported_done'
        ],
        status
    ),
    due_date nulls last,
    investigation_title,
    reference,
    action_position
