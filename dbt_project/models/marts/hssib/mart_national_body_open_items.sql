-- Per national body, its open coroners' reports and its open HSSIB recommendations and planned
-- actions side by side, as of the as_of variable. A national body is any organisation HSSIB made
-- a recommendation to, plus every listed government department and regulator/arm's-length body
-- (organisation types government_department, regulator_alb) that received a coroner's report.
-- Open coroners' report = recipient status pending or overdue (fct_report_recipients: overdue
-- only when a capture after the due date shows no answer). Reports whose status the capture
-- cannot tell (unknown_*) and reports possibly answered (an unmatched response document on the
-- same report) are counted beside them, not as open.
-- Open HSSIB recommendation = no response when its page was captured (awaiting_at_capture,
-- overdue_at_capture, no_response_at_capture: fct_safety_recommendations). HSSIB figures are as
-- of the capture of the pages behind them (hssib_captured_from .. hssib_captured_to), never as
-- of today; an open HSSIB item is an action already due when captured with no update reported
-- (overdue_at_capture, fct_recommendation_actions).

with

organisations as (

    select * from {{ ref('dim_organisations') }}

),

report_recipients as (

    select * from {{ ref('fct_report_recipients') }}

),

safety_recommendations as (

    select * from {{ ref('fct_safety_recommendations') }}

),

actions as (

    select
        unnest(organisation_keys) as organisation_key,
        action_id,
        action_status
    from {{ ref('fct_recommendation_actions') }}

),

report_counts as (

    select
        organisation_key,
        count(distinct report_url) as coroner_reports_received,
        count(distinct report_url) filter (where response_status in ('pending', 'overdue'))
            as coroner_reports_open,
        count(distinct report_url) filter (where response_status = 'overdue')
            as coroner_reports_overdue,
        count(distinct report_url) filter (where response_status = 'pending')
            as coroner_reports_pending,
        count(distinct report_url) filter (where response_status = 'possibly_answered')
            as coroner_reports_possibly_answered,
        count(distinct report_url) filter (where is_status_unknown)
            as coroner_reports_status_unknown
    from report_recipients
    group by organisation_key

),

recommendation_counts as (

    select
        organisation_key,
        min(organisation_name) as organisation_name,
        min(organisation_type) as organisation_type,
        count(*) as hssib_recommendations,
        count(*) filter (where response_status = 'responded') as hssib_responded,
        count(*) filter (where is_open) as hssib_open,
        count(*) filter (where response_status = 'overdue_at_capture') as hssib_overdue_at_capture,
        count(*) filter (where response_status = 'awaiting_at_capture')
            as hssib_awaiting_at_capture,
        count(*) filter (where response_status = 'no_response_at_capture')
            as hssib_no_response_at_capture,
        count(*) filter (where response_status = 'not_captured') as hssib_not_captured,
        count(*) filter (where response_status = 'closed') as hssib_closed,
        count(*) filter (where is_capture_stale) as hssib_stale,
        min(captured_on) as hssib_captured_from,
        max(captured_on) as hssib_captured_to,
        bool_or(capture_date_basis = 'on_or_after') as is_hssib_capture_lower_bound
    from safety_recommendations
    group by organisation_key

),

action_counts as (

    select
        organisation_key,
        count(distinct action_id) filter (where action_status <> 'not_yet_planned')
            as hssib_planned_actions,
        count(distinct action_id) filter (where action_status = 'reported_done')
            as hssib_actions_reported_done,
        count(distinct action_id) filter (where action_status = 'reported_delayed')
            as hssib_actions_reported_delayed,
        count(distinct action_id) filter (where action_status = 'in_progress')
            as hssib_actions_in_progress,
        count(distinct action_id) filter (where action_status = 'due_after_capture')
            as hssib_actions_due_after_capture,
        count(distinct action_id) filter (where action_status = 'overdue_at_capture')
            as hssib_actions_overdue_at_capture,
        count(distinct action_id) filter (where action_status = 'no_due_date')
            as hssib_actions_without_due_date
    from actions
    group by organisation_key

),

national_bodies as (

    select organisation_key from recommendation_counts

    union

    select organisations.organisation_key
    from organisations
    inner join report_counts on organisations.organisation_key = report_counts.organisation_key
    where
        organisations.is_listed
        and organisations.organisation_type in ('government_department', 'regulator_alb')

),

final as (

    select
        national_bodies.organisation_key,
        coalesce(organisations.canonical_name, recommendation_counts.organisation_name)
            as organisation_name,
        coalesce(organisations.organisation_type, recommendation_counts.organisation_type)
            as organisation_type,
        recommendation_counts.organisation_key is not null as is_hssib_recipient,
        coalesce(report_counts.coroner_reports_received, 0) as coroner_reports_received,
        coalesce(report_counts.coroner_reports_open, 0) as coroner_reports_open,
        coalesce(report_counts.coroner_reports_overdue, 0) as coroner_reports_overdue,
        coalesce(report_counts.coroner_reports_pending, 0) as coroner_reports_pending,
        coalesce(report_counts.coroner_reports_possibly_answered, 0)
            as coroner_reports_possibly_answered,
        coalesce(report_counts.coroner_reports_status_unknown, 0) as coroner_reports_status_unknown,
        coalesce(recommendation_counts.hssib_recommendations, 0) as hssib_recommendations,
        coalesce(recommendation_counts.hssib_responded, 0) as hssib_responded,
        coalesce(recommendation_counts.hssib_open, 0) as hssib_open,
        coalesce(recommendation_counts.hssib_overdue_at_capture, 0) as hssib_overdue_at_capture,
        coalesce(recommendation_counts.hssib_awaiting_at_capture, 0) as hssib_awaiting_at_capture,
        coalesce(recommendation_counts.hssib_no_response_at_capture, 0)
            as hssib_no_response_at_capture,
        coalesce(recommendation_counts.hssib_not_captured, 0) as hssib_not_captured,
        coalesce(recommendation_counts.hssib_closed, 0) as hssib_closed,
        coalesce(action_counts.hssib_planned_actions, 0) as hssib_planned_actions,
        coalesce(action_counts.hssib_actions_reported_done, 0) as hssib_actions_reported_done,
        coalesce(action_counts.hssib_actions_reported_delayed, 0)
            as hssib_actions_reported_delayed,
        coalesce(action_counts.hssib_actions_in_progress, 0) as hssib_actions_in_progress,
        coalesce(action_counts.hssib_actions_due_after_capture, 0)
            as hssib_actions_due_after_capture,
        coalesce(action_counts.hssib_actions_overdue_at_capture, 0)
            as hssib_actions_overdue_at_capture,
        coalesce(action_counts.hssib_actions_without_due_date, 0)
            as hssib_actions_without_due_date,
        coalesce(recommendation_counts.hssib_stale, 0) as hssib_stale,
        recommendation_counts.hssib_captured_from,
        recommendation_counts.hssib_captured_to,
        recommendation_counts.is_hssib_capture_lower_bound,
        coalesce(report_counts.coroner_reports_open, 0)
        + coalesce(recommendation_counts.hssib_open, 0)
        + coalesce(action_counts.hssib_actions_overdue_at_capture, 0) as open_items_total,
        {{ as_of_date() }} as as_of_date
    from national_bodies
    left join organisations on national_bodies.organisation_key = organisations.organisation_key
    left join report_counts on national_bodies.organisation_key = report_counts.organisation_key
    left join recommendation_counts
        on national_bodies.organisation_key = recommendation_counts.organisation_key
    left join action_counts on national_bodies.organisation_key = action_counts.organisation_key

)

select * from final
