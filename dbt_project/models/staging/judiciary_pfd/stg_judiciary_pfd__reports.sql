-- One row per report page: header values parsed and typed, the raw text kept beside each value.

with

source as (

    select * from {{ source('judiciary_pfd', 'reports') }}

),

cleaned as (

    select
        report_url,
        page_title,
        date_added_raw,
        date_added_text,
        date_of_report_raw,
        ref_raw,
        deceased_name_raw,
        coroner_name_raw,
        coroner_area_raw,
        category_raw,
        sent_to_raw,
        category_pills,
        parse_warnings,
        content_hash,
        first_seen_at,
        last_seen_at,
        last_changed_at,
        first_seen_on,
        last_fetched_on,
        -- what the page content reflects: a live page shows the site on the day it was fetched;
        -- the offline replica says, per page, when and how its stored copy was captured
        coalesce(capture_kind, 'live') as capture_kind,
        coalesce(captured_on, last_fetched_on) as captured_on,
        -- a whole header glued into one field: keep only the text before the next label
        {{ clean_text("regexp_replace(date_of_report_raw, '(?i)\\s(ref|deceased|coroner)[^:]*:.*$', '')") }}
            as date_of_report_text,
        {{ clean_text('ref_raw') }} as ref_text,
        {{ clean_text("regexp_replace(coroner_name_raw, '(?is)\\s*coroner''?s?\\s+area\\s*:.*$', '')") }}
            as coroner_name_text,
        {{ clean_text("regexp_replace(regexp_extract(coroner_area_raw, '^[^\\n]*'), '^\\s*:\\s*', '')") }}
            as coroner_area_text,
        {{ clean_text('deceased_name_raw') }} as deceased_name_text,
        {{ clean_text('sent_to_raw') }} as sent_to_text

    from source

),

report_date_parts as (

    select
        *,
        -- numeric d/m/y with stray spaces ("08 /03/2024", "01/07/22")
        regexp_extract(
            date_of_report_text, '(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{2,4})',
            ['day', 'month', 'year']
        ) as numeric_parts,
        -- "26 May 2022", "15 August2016", "2 Decembe 2015"
        regexp_extract(
            date_of_report_text, '(\d{1,2})(?:st|nd|rd|th)?\s*([A-Za-z]{3,})\s*(\d{4})',
            ['day', 'month_name', 'year']
        ) as named_parts,
        -- "/0206/2023": the first slash slipped two places
        regexp_extract(
            date_of_report_text, '^/(\d{2})(\d{2})/(\d{4})$',
            ['day', 'month', 'year']
        ) as slipped_parts,
        -- "9 August": a day and a month but no year
        regexp_matches(date_of_report_text, '^\d{1,2}\s*[A-Za-z]{3,}$') as has_no_year

    from cleaned

),

report_date_parsed as (

    select
        *,
        case
            when numeric_parts.day <> ''
                then
                    numeric_parts.day || '/' || numeric_parts.month || '/'
                    || case
                        when length(numeric_parts.year) = 2 then '20' || numeric_parts.year
                        else numeric_parts.year
                    end
            when named_parts.day <> ''
                then
                    named_parts.day || '/'
                    || coalesce(cast(list_position(
                        ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
                        lower(left(named_parts.month_name, 3))
                    ) as varchar), '0')
                    || '/' || named_parts.year
            when slipped_parts.day <> '' then
                slipped_parts.day || '/' || slipped_parts.month || '/' || slipped_parts.year
        end as report_date_dmy

    from report_date_parts

),

report_dates as (

    select
        *,
        cast(try_strptime(report_date_dmy, '%d/%m/%Y') as date) as report_date_candidate
    from report_date_parsed

),

ref_parts as (

    select
        *,
        regexp_extract(
            regexp_replace(coalesce(ref_text, ''), '[\s\-–—‐]+', '-', 'g'),
            '^(\d{4,5})-(\d{3,5})([A-Za-z]?)$', ['year', 'sequence', 'suffix']
        ) as ref_match
    from report_dates

),

typed as (

    select
        report_url,
        page_title,

        date_of_report_raw,
        case
            when report_date_candidate between date '2013-01-01' and date '2100-01-01'
                then report_date_candidate
        end as report_date,
        case
            when date_of_report_text is null then 'missing'
            when has_no_year then 'missing_year'
            when report_date_dmy is null then 'unparsed'
            when report_date_candidate is null then 'impossible'
            when report_date_candidate not between date '2013-01-01' and date '2100-01-01'
                then 'impossible'
            when slipped_parts.day <> '' then 'repaired'
            else 'parsed'
        end as report_date_status,

        date_added_raw,
        date_added_text,
        coalesce(
            try_cast(left(trim(date_added_raw), 10) as date),
            cast(try_strptime({{ clean_text('date_added_text') }}, '%d/%m/%Y') as date),
            cast(try_strptime({{ clean_text('date_added_text') }}, '%d %B %Y') as date)
        ) as published_date,

        ref_raw,
        case when ref_match.year <> '' then try_cast(left(ref_match.year, 4) as integer) end as ref_year,
        case when ref_match.year <> '' then try_cast(ref_match.sequence as integer) end as ref_sequence,
        nullif(upper(ref_match.suffix), '') as ref_suffix,
        case
            when ref_text is null then 'missing'
            when ref_match.year = '' then 'invalid'
            -- "2025-01202": five digits cannot be repaired without guessing which one is extra
            when length(ref_match.sequence) = 5 then 'ambiguous'
            when length(ref_match.year) = 5 or length(ref_match.sequence) = 3 then 'repaired'
            when ref_text <> ref_match.year || '-' || ref_match.sequence || ref_match.suffix
                then 'normalised'
            else 'valid'
        end as ref_status,

        deceased_name_raw,
        deceased_name_text,
        coroner_name_raw,
        coroner_name_text,
        coroner_area_raw,
        coroner_area_text,
        category_raw,
        category_pills,
        sent_to_raw,
        sent_to_text,
        parse_warnings,
        content_hash,
        first_seen_at,
        last_seen_at,
        last_changed_at,
        first_seen_on,
        last_fetched_on,
        capture_kind,
        captured_on

    from ref_parts

),

final as (

    select
        report_url,
        page_title,
        date_of_report_raw,
        report_date,
        report_date_status,
        report_date_status in ('parsed', 'repaired') as has_report_date,
        report_date < date '2013-07-25' as is_report_date_before_regulations,
        date_added_raw,
        date_added_text,
        published_date,
        report_date > published_date as is_report_date_after_publication,
        date_diff('day', report_date, published_date) as publication_lag_days,
        ref_raw,
        ref_year,
        ref_sequence,
        ref_suffix,
        case
            when ref_status not in ('missing', 'invalid', 'ambiguous') and ref_year is not null
                then
                    cast(ref_year as varchar) || '-' || lpad(cast(ref_sequence as varchar), 4, '0')
                    || coalesce(ref_suffix, '')
        end as ref_normalised,
        ref_status,
        ref_status in ('valid', 'normalised', 'repaired')
        and ref_year between 2013 and 2100
        and ref_sequence between 1 and 9999 as is_ref_valid,
        deceased_name_raw,
        deceased_name_text,
        coroner_name_raw,
        coroner_name_text,
        coroner_area_raw,
        coroner_area_text,
        category_raw,
        category_pills,
        sent_to_raw,
        sent_to_text,
        sent_to_text is null as has_no_recipient_text,
        parse_warnings,
        content_hash,
        first_seen_at,
        last_seen_at,
        last_changed_at,
        first_seen_on,
        last_fetched_on,
        capture_kind,
        captured_on
    from typed

)

select * from final
