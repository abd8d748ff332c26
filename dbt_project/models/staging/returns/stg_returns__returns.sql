-- depends_on: {{ source('returns', 'rows') }}
-- depends_on: {{ source('returns', 'files') }}
-- One row per return row of every loaded version of each returns file, typed; is_latest_version
-- marks the version loaded last (raw is_current). Which version the reconciliation uses is
-- decided after the names are resolved (int_returns_file_versions). The loader has validated
-- every value, so casts here cannot fail. The raw tables exist only once a file has been loaded;
-- before that this model is empty (same columns), so dbt builds either way.

{%- set rows_loaded = execute and load_relation(source('returns', 'rows')) is not none %}

{% if rows_loaded %}

with

files as (

    select * from {{ source('returns', 'files') }}

),

return_rows as (

    select * from {{ source('returns', 'rows') }}

),

final as (

    select
        md5(return_rows.file_sha256 || ':' || return_rows.row_number) as return_row_id,
        files.file_name,
        return_rows.file_sha256,
        files.loaded_at,
        files.is_current as is_latest_version,
        return_rows.row_number,
        return_rows.organisation_name,
        nullif(trim(return_rows.organisation_key), '') as organisation_key_given,
        return_rows.organisation_kind,
        case
            when lower(trim(return_rows.organisation_kind)) = 'coroner area' then 'coroner_area'
            else 'organisation'
        end as return_kind,
        return_rows.source_kind,
        return_rows.source_reference,
        cast(return_rows.period_start as date) as period_start,
        cast(return_rows.period_end as date) as period_end,
        cast(replace(return_rows.reports_received, ',', '') as integer) as reports_received,
        cast(replace(return_rows.reports_as_addressee, ',', '') as integer) as reports_as_addressee,
        cast(replace(return_rows.reports_as_interested_person, ',', '') as integer)
            as reports_as_interested_person,
        return_rows.counting_basis,
        regexp_matches(lower(return_rows.counting_basis), '\bonly\b') as is_restricted_count,
        return_rows.outcome,
        case
            when lower(trim(return_rows.outcome)) like 'provided%' then 'provided'
            when lower(trim(return_rows.outcome)) like 'partial%' then 'partial'
            when lower(trim(return_rows.outcome)) like 'refused%' then 'refused'
            when lower(trim(return_rows.outcome)) like 'not held%' then 'not_held'
        end as outcome_category,
        nullif(lower(regexp_replace(
            regexp_extract(return_rows.outcome, '(?i)section\s+\d+[a-z]?(\s*\(\d+\))?'), '\s+', ' ', 'g'
        )), '') as exemption,
        return_rows.source_url,
        return_rows.note,
        cast(return_rows.request_date as date) as request_date,
        cast(return_rows.answered_date as date) as answered_date
    from return_rows
    inner join files on return_rows.file_sha256 = files.file_sha256

)

select * from final

{% else %}

    select
        cast(null as varchar) as return_row_id,
        cast(null as varchar) as file_name,
        cast(null as varchar) as file_sha256,
        cast(null as timestamp) as loaded_at,
        cast(null as boolean) as is_latest_version,
        cast(null as integer) as row_number,
        cast(null as varchar) as organisation_name,
        cast(null as varchar) as organisation_key_given,
        cast(null as varchar) as organisation_kind,
        cast(null as varchar) as return_kind,
        cast(null as varchar) as source_kind,
        cast(null as varchar) as source_reference,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        cast(null as integer) as reports_received,
        cast(null as integer) as reports_as_addressee,
        cast(null as integer) as reports_as_interested_person,
        cast(null as varchar) as counting_basis,
        cast(null as boolean) as is_restricted_count,
        cast(null as varchar) as outcome,
        cast(null as varchar) as outcome_category,
        cast(null as varchar) as exemption,
        cast(null as varchar) as source_url,
        cast(null as varchar) as note,
        cast(null as date) as request_date,
        cast(null as date) as answered_date
    where false

{% endif %}
