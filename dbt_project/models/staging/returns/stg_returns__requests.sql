-- depends_on: {{ source('returns', 'requests') }}
-- depends_on: {{ source('returns', 'files') }}
-- One row per request of the current version of every FOI requests file (the campaign's
-- request log), typed. The statutory due date was computed when the file was loaded
-- (orchestration/sources/returns/foi_dates.py, the one place the rule lives); dbt never
-- recomputes it. A corrected file (same name, new content) supersedes the earlier version. Before
-- any requests file is loaded the raw table does not exist and this model is empty.

{%- set requests_loaded = execute and load_relation(source('returns', 'requests')) is not none %}

{% if requests_loaded %}

with

files as (

    select * from {{ source('returns', 'files') }}
    where is_current

),

requests as (

    select * from {{ source('returns', 'requests') }}

),

final as (

    select
        md5(requests.file_sha256 || ':' || requests.row_number) as request_row_id,
        files.file_name,
        requests.file_sha256,
        files.loaded_at,
        requests.row_number,
        requests.organisation_name,
        nullif(trim(requests.organisation_key), '') as organisation_key_given,
        trim(requests.request_reference) as request_reference,
        cast(trim(requests.date_sent) as date) as date_sent,
        cast(trim(requests.period_start) as date) as period_start,
        cast(trim(requests.period_end) as date) as period_end,
        regexp_replace(lower(trim(requests.status)), '\s+', ' ', 'g') as status,
        nullif(trim(requests.refusal_section), '') as refusal_section,
        -- "Section 21", "s.21", "S 21(1)" -> s21, s21(1)
        nullif(
            regexp_replace(
                regexp_replace(lower(trim(requests.refusal_section)), 'section', 's', 'g'),
                '[\s.]', '', 'g'
            ),
            ''
        ) as refusal_section_key,
        cast(nullif(trim(requests.answer_date), '') as date) as answer_date,
        nullif(trim(requests.note), '') as note,
        cast(requests.statutory_due_date as date) as statutory_due_date,
        requests.due_date_rule
    from requests
    inner join files on requests.file_sha256 = files.file_sha256

)

select * from final

{% else %}

    select
        cast(null as varchar) as request_row_id,
        cast(null as varchar) as file_name,
        cast(null as varchar) as file_sha256,
        cast(null as timestamp) as loaded_at,
        cast(null as integer) as row_number,
        cast(null as varchar) as organisation_name,
        cast(null as varchar) as organisation_key_given,
        cast(null as varchar) as request_reference,
        cast(null as date) as date_sent,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        cast(null as varchar) as status,
        cast(null as varchar) as refusal_section,
        cast(null as varchar) as refusal_section_key,
        cast(null as date) as answer_date,
        cast(null as varchar) as note,
        cast(null as date) as statutory_due_date,
        cast(null as varchar) as due_date_rule
    where false

{% endif %}
