-- Question 8, the lists behind the campaign figures: for each organisation in scope, every
-- report its FOI answer does not simply confirm, from main.audit_foi_report_reconciliation (one
-- row per organisation and report): published_not_located (on judiciary.uk and addressed to the
-- body, which did not list it or said "not located"), received_not_published (the body received
-- it; no published report matches the line, so report_url is NULL and ref / report_date are as
-- the body wrote them) and copy_only (the body holds it only as a copy). Matched reports are
-- counted by q8_foi_campaign.sql, not listed. match_method (ref, date_and_name,
-- date_and_initials, date_only_unique) and match_confidence say how a line was matched. Names of
-- the deceased are never in the mart: the report adds them from dim_deceased by report_url only
-- with --with-names. Same filters as q8_foi_campaign.sql (org_types, org_keys, as_named; since,
-- until and area_key do not apply).
select
    findings.organisation_key,
    findings.organisation_name,
    findings.finding,
    findings.ref,
    findings.report_date,
    findings.coroner_area,
    findings.report_url,
    findings.answer,
    findings.match_method,
    findings.match_confidence
from main.audit_foi_report_reconciliation as findings
left join main.dim_organisations as organisations
    on findings.organisation_key = organisations.organisation_key
where
    findings.finding in ('published_not_located', 'received_not_published', 'copy_only')
    and (
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
        or list_contains(getvariable('org_keys'), findings.organisation_key)
        or list_contains(getvariable('org_keys'), organisations.successor_organisation_key)
        or list_contains(getvariable('org_keys'), organisations.current_organisation_key)
    )
order by
    findings.organisation_name,
    findings.organisation_key,
    list_position(['published_not_located', 'received_not_published', 'copy_only'], findings.finding),
    findings.report_date nulls last,
    findings.ref
