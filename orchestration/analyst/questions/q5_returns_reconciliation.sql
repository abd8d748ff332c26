-- Question 5: for each organisation or coroner area that answered an FOI request (or made an
-- official statement): the count it states versus the count published on judiciary.uk for the
-- same body and period, the difference (reported minus published) and its direction, with the
-- published refs behind the count. Reads issue 5's mart main.audit_returns_reconciliation.
-- Filters (DuckDB session variables, unset = no filter): org_types and org_keys keep organisation
-- returns of those types (the current organisation's unless as_named = true) and organisations
-- (or their former names); area_key keeps that coroner area's returns; since/until keep periods
-- overlapping the dates.
select
    returns.return_kind,
    returns.name_as_written,
    returns.resolved_key,
    returns.resolved_name,
    returns.organisation_type,
    returns.period_start,
    returns.period_end,
    returns.outcome_category,
    returns.exemption,
    returns.reported_count,
    returns.published_count,
    returns.difference,
    returns.direction,
    returns.published_count_basis,
    returns.published_refs_text,
    returns.source_url
from main.audit_returns_reconciliation as returns
left join main.dim_organisations as organisations
    on returns.resolved_key = organisations.organisation_key
where
    (
        getvariable('org_types') is null
        or list_contains(
            getvariable('org_types'),
            if(
                coalesce(getvariable('as_named')::boolean, false),
                returns.organisation_type,
                coalesce(organisations.current_organisation_type, returns.organisation_type)
            )
        )
    )
    and (
        getvariable('org_keys') is null
        or list_contains(getvariable('org_keys'), returns.resolved_key)
        or list_contains(getvariable('org_keys'), organisations.successor_organisation_key)
        or list_contains(getvariable('org_keys'), organisations.current_organisation_key)
    )
    and (
        getvariable('area_key') is null
        or (returns.return_kind = 'coroner_area' and returns.resolved_key = getvariable('area_key'))
    )
    and (getvariable('since') is null or returns.period_end >= getvariable('since'))
    and (getvariable('until') is null or returns.period_start <= getvariable('until'))
order by returns.return_kind, returns.resolved_name, returns.name_as_written, returns.period_start
