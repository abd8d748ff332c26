-- One row per organisation asked in an FOI campaign (or that sent a report-level answer): the
-- answers to the campaign's questions. Outcomes come from the requests (fct_foi_requests, as of
-- the as_of var); report counts from the reconciliation (audit_foi_report_reconciliation). A
-- refusal is an outcome, never a zero: the report counts are NULL when the body gave no list.

with

requests as (

    select * from {{ ref('fct_foi_requests') }}
    where organisation_key is not null

),

reconciliation as (

    select * from {{ ref('audit_foi_report_reconciliation') }}

),

outcomes as (

    select
        organisation_key,
        any_value(organisation_name) as organisation_name,
        count(*) as requests,
        bool_or(status in ('answered', 'partially answered')) as answered,
        bool_or(status = 'refused') as refused,
        bool_or(status = 'refused' and cites_website) as refused_citing_website,
        bool_or(is_late) as late,
        max(working_days_late) as working_days_late,
        arg_max(status, date_sent) as latest_status
    from requests
    group by organisation_key

),

lists as (

    select
        organisation_key,
        any_value(organisation_name) as organisation_name,
        count(*) filter (where is_addressed_to_organisation or finding = 'published_not_located')
            as reports_published,
        count(*) filter (where finding = 'matched') as reports_matched,
        count(*) filter (where finding = 'received_not_published') as reports_missing_from_site,
        count(*) filter (where finding = 'published_not_located') as reports_not_located,
        count(*) filter (where finding = 'copy_only') as copy_only,
        bool_and(finding = 'matched') as every_finding_matched
    from reconciliation
    group by organisation_key

),

final as (

    select
        coalesce(outcomes.organisation_key, lists.organisation_key) as organisation_key,
        coalesce(outcomes.organisation_name, lists.organisation_name) as organisation_name,
        outcomes.organisation_key is not null as asked,
        coalesce(outcomes.requests, 0) as requests,
        coalesce(outcomes.answered, false) or lists.organisation_key is not null as answered,
        coalesce(outcomes.refused, false) as refused,
        coalesce(outcomes.refused_citing_website, false) as refused_citing_website,
        coalesce(outcomes.late, false) as late,
        outcomes.working_days_late,
        outcomes.latest_status,
        lists.organisation_key is not null as gave_a_list,
        coalesce(lists.every_finding_matched, false) as answer_matches_exactly,
        lists.reports_published,
        lists.reports_matched,
        lists.reports_missing_from_site,
        lists.reports_not_located,
        lists.copy_only,
        {{ as_of_date() }} as as_of_date
    from outcomes
    full outer join lists on outcomes.organisation_key = lists.organisation_key

)

select * from final
