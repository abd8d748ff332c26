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
            when
                document_url like '%/prevention-of-future-death-reports/%'
                and document_url not like '%/wp-content/%' then 'other'
            when regexp_matches(file_name_lower, 'respon[cs]e|reply|letter-from') then 'response'
            when kind = 'report' then 'report'
            when regexp_matches(file_name_lower, 'prevention-of-future-death|regulation-28|-report') then 'report'
            else kind
        end as document_kind,
        -- "2019-0135-Response-by-NHS-England_Published.pdf" -> "NHS-England"
        nullif(regexp_extract(
            file_name_clean,
            '(?i)(?:respon[cs]es?|resposne|letter)[-_ ]+(?:by|from|of|to)?[-_ ]*(?:the[-_ ]+)?(.+?)'
            || '(?:[-_ ]?(?:published|redacted|final|signed|response|\d{1,2}))*\.(?:pdf|docx?|odt)$',
            1
        ), '') as response_organisation_slug_named,
        -- a related file named "{ref}-{Organisation}.pdf" with no word "response" (the loader
        -- classifies it as a response):
        -- "2017-0196-Mersey-Care-NHS-Trust.pdf" -> "Mersey-Care-NHS-Trust"
        nullif(regexp_extract(
            file_name_clean,
            '(?i)^(?:20\d{2})[-_ ]?\d{3,4}[a-z]?[-_ ]+([a-z].+?)'
            || '(?:[-_ ]?(?:published|redacted|final|signed|\d{1,2}))*[-_ ]*\.(?:pdf|docx?|odt)$',
            1
        ), '') as response_organisation_slug_bare
    from named

),

with_bare_flag as (

    select
        *,
        response_organisation_slug_bare is not null
        and not regexp_matches(file_name_lower, 'respon[cs]e|resposne')
        -- "2017-0195_Redacted.pdf" names no organisation
        and not regexp_matches(
            lower(response_organisation_slug_bare),
            '^(published|redacted|final|signed|report|letter|document)s?$')
            as has_bare_organisation
    from classified

),

with_organisation_slug as (

    select
        *,
        case
            when document_kind <> 'response' then null
            when response_organisation_slug_named is not null then response_organisation_slug_named
            when has_bare_organisation then response_organisation_slug_bare
        end as response_organisation_slug,
        case
            when document_kind <> 'response' then null
            when response_organisation_slug_named is not null then 'after_response_word'
            when has_bare_organisation then 'after_ref'
        end as response_organisation_slug_source
    from with_bare_flag

),

final as (

    select
        report_url,
        document_url,
        link_text,
        file_name_clean as file_name,
        upload_year,
        upload_month,
        case
            when upload_year between 2000 and 2100 and upload_month between 1 and 12
                then make_date(upload_year, upload_month, 1)
        end as upload_month_start,
        kind as kind_raw,
        document_kind,
        position,
        link_source,
        is_current,
        regexp_extract(file_name_clean, '(20\d{2})[-_ ]?(\d{3,4})', 0) as file_name_ref,
        response_organisation_slug,
        response_organisation_slug_source,
        {{ clean_text("regexp_replace(response_organisation_slug, '[-_]+', ' ', 'g')") }}
            as response_organisation_text,
        first_seen_at,
        last_seen_at,
        first_seen_on
    from with_organisation_slug

)

select * from final
