-- An FOI answer line or request whose organisation resolves to nothing (same rules as the count
-- returns: given key, then listed name, then recipient name) cannot be reconciled: it is left out
-- of audit_foi_report_reconciliation and audit_foi_campaign, never dropped silently: this warning
-- names the file, sheet, row and name (correct the file, or add the body to the seeds). Its
-- Dagster check sits on fct_foi_requests: a check must belong to a model the test reads.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_foi_requests'}}}) }}

select
    file_name,
    sheet,
    row_number,
    organisation_name
from {{ ref('int_foi_report_lines_matched') }}
where not is_resolved

union all

select
    file_name,
    'requests' as sheet,
    row_number,
    organisation_name_as_written as organisation_name
from {{ ref('fct_foi_requests') }}
where not is_resolved
