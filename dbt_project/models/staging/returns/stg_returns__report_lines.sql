-- depends_on: {{ source('returns', 'report_lines') }}
-- depends_on: {{ source('returns', 'files') }}
-- One row per line of the current version of every report-level answer file (a filled request
-- pack or a body's own list), typed. Names as written: the organisation is resolved in
-- int_foi_organisations_resolved and the line matched to a published report in
-- int_foi_report_lines_matched. A corrected file (same name, new content) supersedes the earlier
-- version (raw returns__files.is_current). The loader has validated every value, so casts
-- cannot fail. Before any such file is loaded the raw table does not exist and this model is
-- empty (same columns), so dbt builds either way.

{%- set lines_loaded = execute and load_relation(source('returns', 'report_lines')) is not none %}

{% if lines_loaded %}

with

files as (

    select * from {{ source('returns', 'files') }}
    where is_current

),

report_lines as (

    select * from {{ source('returns', 'report_lines') }}

),

typed as (

    select
        md5(report_lines.file_sha256 || ':' || report_lines.sheet || ':' || report_lines.row_number)
            as report_line_id,
        files.file_name,
        report_lines.file_sha256,
        files.loaded_at,
        report_lines.sheet,
        report_lines.row_number,
        report_lines.organisation_name,
        nullif(trim(report_lines.organisation_key), '') as organisation_key_given,
        nullif(trim(report_lines.request_reference), '') as request_reference,
        cast(trim(report_lines.period_start) as date) as period_start,
        cast(trim(report_lines.period_end) as date) as period_end,
        case
            when report_lines.sheet = 'reports' then true
            when report_lines.sheet = 'not_on_the_list' then false
            else coalesce(lower(trim(report_lines.listed)) in ('yes', 'y', 'true', '1'), false)
        end as is_listed,
        nullif(trim(report_lines.answer), '') as answer_as_written,
        coalesce(
            nullif(regexp_replace(lower(trim(report_lines.answer)), '\s+', ' ', 'g'), ''),
            'received'
        ) as answer,
        nullif(trim(report_lines.ref), '') as ref_as_written,
        cast(nullif(trim(report_lines.date_of_report), '') as date) as report_date,
        nullif(trim(report_lines.deceased_name), '') as deceased_name,
        nullif(upper(regexp_replace(report_lines.initials, '[^A-Za-z]', '', 'g')), '') as initials,
        cast(nullif(trim(report_lines.date_of_death), '') as date) as date_of_death,
        nullif(trim(report_lines.coroner_area), '') as coroner_area,
        nullif(trim(report_lines.link), '') as link,
        nullif(trim(report_lines.note), '') as note
    from report_lines
    inner join files on report_lines.file_sha256 = files.file_sha256

),

final as (

    select
        *,
        -- "2023-0155", "2023/155", "Ref 2023 - 0155" -> 2023-0155 (the form fct_reports.ref uses)
        case
            when regexp_matches(ref_as_written, '(19|20)\d\d\D{1,5}\d{1,4}')
                then
                    regexp_extract(ref_as_written, '((19|20)\d\d)\D{1,5}(\d{1,4})', 1)
                    || '-'
                    || lpad(regexp_extract(ref_as_written, '((19|20)\d\d)\D{1,5}(\d{1,4})', 3), 4, '0')
        end as ref
    from typed

)

select * from final

{% else %}

    select
        cast(null as varchar) as report_line_id,
        cast(null as varchar) as file_name,
        cast(null as varchar) as file_sha256,
        cast(null as timestamp) as loaded_at,
        cast(null as varchar) as sheet,
        cast(null as integer) as row_number,
        cast(null as varchar) as organisation_name,
        cast(null as varchar) as organisation_key_given,
        cast(null as varchar) as request_reference,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        cast(null as boolean) as is_listed,
        cast(null as varchar) as answer_as_written,
        cast(null as varchar) as answer,
        cast(null as varchar) as ref_as_written,
        cast(null as date) as report_date,
        cast(null as varchar) as deceased_name,
        cast(null as varchar) as initials,
        cast(null as date) as date_of_death,
        cast(null as varchar) as coroner_area,
        cast(null as varchar) as link,
        cast(null as varchar) as note,
        cast(null as varchar) as ref
    where false

{% endif %}
