-- One row per document link on a report page, classified by its file name (the site's order and
-- the spider's kind are hints, not truth) with the organisation text parsed from response names.

with

source as (

    select * from {{ source('judiciary_pfd', 'documents') }}

),

named as (

    select
        *,
        coalesce(nullif(file_name, ''), regexp_extract(document_url, '([^/]+)/?$', 1)) as file_name_clean,
        lower(coalesce(nullif(file_name, ''), regexp_extract(document_url, '([^/]+)/?$', 1)))
            as file_name_lower
    from source

),

classified as (

    select
        *,
        case
            when document_url like '%/prevention-of-future-death-reports/%'
                and document_url not like '%/wp-content/%' then 'other'
            when regexp_matches(file_name_lower, 'respon[cs]e|reply|letter-from') then 'response'
            when kind = 'report' then 'report'
            when regexp_matches(file_name_lower, 'prevention-of-future-death|regulation-28|-report') then 'report'
            else kind
        end as document_kind,
        -- "2019-0135-Response-by-NHS-England_Published.pdf" -> "NHS-England"
        nullif(regexp_extract(file_name_clean,
            '(?i)respon[cs]es?[-_ ]+(?:by|from|of|to)?[-_ ]*(?:the[-_ ]+)?(.+?)(?:[-_ ]?(?:published|redacted|final|signed|response|\d{1,2}))*\.(?:pdf|docx?|odt)$',
            1), '') as response_organisation_slug
    from named

),

final as (

    select
        report_url,
        document_url,
        link_text,
        file_name_clean as file_name,
        upload_year,
        upload_month,
        case when upload_year between 2000 and 2100 and upload_month between 1 and 12
            then make_date(upload_year, upload_month, 1) end as upload_month_start,
        kind as kind_raw,
        document_kind,
        position,
        link_source,
        is_current,
        regexp_extract(file_name_clean, '(20\d{2})[-_ ]?(\d{3,4})', 0) as file_name_ref,
        response_organisation_slug,
        {{ clean_text("regexp_replace(response_organisation_slug, '[-_]+', ' ', 'g')") }}
            as response_organisation_text,
        first_seen_at,
        last_seen_at,
        first_seen_on
    from classified

)

select * from final
