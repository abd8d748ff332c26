-- Question 8: for each organisation asked in an FOI campaign (a request logged, or a report-level
-- answer loaded), how it answered: asked, answered, refused (and refused citing the website:
-- section 21, "reasonably accessible by other means"), late (not answered past the statutory due
-- date: the 20th working day after receipt, FOIA s.10), answer_matches_exactly (answered and every
-- report reconciled as matched), and the reports behind the answer: reports_missing_from_site
-- (the body received them, judiciary.uk does not publish them), reports_not_located (published,
-- addressed to the body, which did not list them or could not locate them), copy_only. Counts
-- are NULL when the body gave no list (a refusal is an outcome, never a zero). Per organisation
-- too: its request references, the latest status and refusal sections, the statutory due date
-- and working days late of the latest request. Reads main.audit_foi_campaign and
-- main.fct_foi_requests (built by dbt; empty when no campaign is loaded).
-- Filters (DuckDB session variables, unset = no filter): org_types (the current organisation's
-- type unless as_named = true) and org_keys (an organisation or its former names). since, until
-- and area_key do not apply: a campaign asks about the period in its requests.
with campaign_in_scope as (
    select
        campaign.organisation_key,
        campaign.organisation_name,
        coalesce(organisations.current_organisation_type, organisations.organisation_type)
            as organisation_type,
        campaign.asked,
        campaign.answered,
        campaign.refused,
        campaign.refused_citing_website,
        campaign.late,
        campaign.answer_matches_exactly,
        campaign.reports_missing_from_site,
        campaign.reports_not_located,
        campaign.copy_only
    from main.audit_foi_campaign as campaign
    left join main.dim_organisations as organisations
        on campaign.organisation_key = organisations.organisation_key
    where
        (
            getvariable('org_types') is null
            or list_contains(
                getvariable('org_types'),
                if(
                    coalesce(getvariable('as_named')::boolean, false),
                    organisations.organisation_type,
                    coalesce(
                        organisations.current_organisation_type, organisations.organisation_type
                    )
                )
            )
        )
        and (
            getvariable('org_keys') is null
            or list_contains(getvariable('org_keys'), campaign.organisation_key)
            or list_contains(getvariable('org_keys'), organisations.successor_organisation_key)
            or list_contains(getvariable('org_keys'), organisations.current_organisation_key)
        )
),

requests as (
    select
        organisation_key,
        string_agg(request_reference, ', ' order by date_sent, request_reference)
            as request_references,
        arg_max(status, date_sent) as latest_status,
        string_agg(distinct refusal_section, ', ' order by refusal_section)
            filter (where status = 'refused' or refusal_section is not null) as refusal_sections,
        min(date_sent) as first_sent,
        arg_max(statutory_due_date, date_sent) as statutory_due_date,
        max(answer_date) as answer_date,
        arg_max(working_days_late, date_sent) as working_days_late
    from main.fct_foi_requests
    group by organisation_key
)

select
    campaign_in_scope.organisation_key,
    campaign_in_scope.organisation_name,
    campaign_in_scope.organisation_type,
    coalesce(campaign_in_scope.asked::integer, 0) > 0 as asked,
    coalesce(campaign_in_scope.answered::integer, 0) > 0 as answered,
    coalesce(campaign_in_scope.refused::integer, 0) > 0 as refused,
    coalesce(campaign_in_scope.refused_citing_website::integer, 0) > 0 as refused_citing_website,
    coalesce(campaign_in_scope.late::integer, 0) > 0 as late,
    coalesce(campaign_in_scope.answer_matches_exactly::integer, 0) > 0 as answer_matches_exactly,
    campaign_in_scope.reports_missing_from_site,
    campaign_in_scope.reports_not_located,
    campaign_in_scope.copy_only,
    requests.request_references,
    requests.latest_status,
    requests.refusal_sections,
    requests.first_sent,
    requests.statutory_due_date,
    requests.answer_date,
    requests.working_days_late
from campaign_in_scope
left join requests on campaign_in_scope.organisation_key = requests.organisation_key
order by campaign_in_scope.organisation_name, campaign_in_scope.organisation_key
