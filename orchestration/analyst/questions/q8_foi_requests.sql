-- Question 8, who is late: one row per FOI request of the campaign (main.fct_foi_requests: one
-- per organisation and request reference, from the current requests file), late ones first
-- (most working days late first), then refusals, then requests still in time, then answers.
-- statutory_due_date is the 20th working day after the request was sent (FOIA s.10(1); working
-- days exclude weekends, Christmas Day, Good Friday and bank holidays in any part of the UK),
-- computed once when the requests file was loaded (due_date_rule names the rule); is_late = not
-- answered and the marts' as-of date is past the due date; working_days_late is NULL unless
-- late. cites_website = refused under section 21 ("reasonably accessible by other means").
-- `pfdw foi status` prints this file's result. Same filters as q8_foi_campaign.sql (org_types,
-- org_keys, as_named; since, until and area_key do not apply).
select
    requests.organisation_key,
    requests.organisation_name,
    requests.request_reference,
    requests.date_sent,
    requests.statutory_due_date,
    requests.status,
    requests.answer_date,
    requests.refusal_section,
    requests.cites_website,
    requests.is_answered,
    requests.is_late,
    requests.working_days_late
from main.fct_foi_requests as requests
left join main.dim_organisations as organisations
    on requests.organisation_key = organisations.organisation_key
where
    (
        getvariable('org_types') is null
        or list_contains(
            getvariable('org_types'),
            if(
                coalesce(getvariable('as_named')::boolean, false),
                organisations.organisation_type,
                coalesce(organisations.current_organisation_type, organisations.organisation_type)
            )
        )
    )
    and (
        getvariable('org_keys') is null
        or list_contains(getvariable('org_keys'), requests.organisation_key)
        or list_contains(getvariable('org_keys'), organisations.successor_organisation_key)
        or list_contains(getvariable('org_keys'), organisations.current_organisation_key)
    )
order by
    requests.is_late desc nulls last,
    requests.working_days_late desc nulls last,
    requests.status = 'refused' desc,
    requests.is_answered nulls first,
    requests.statutory_due_date,
    requests.organisation_name,
    requests.request_reference
