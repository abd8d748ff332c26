-- One row per report whose own words were read (from the page, or from its PDF): the addressee
-- block as written, the response deadline the report states, and where the text came from.
-- Reports whose PDF was the replica's stand-in or could not be read have a row with no sections,
-- so "no text" is visible rather than silent.

with

source as (

    select * from {{ source('judiciary_pfd', 'report_texts') }}

),

your_response as (

    select
        source.report_url,
        {{ clean_text("section.unnest ->> 'text'") }} as your_response_text
    from source,
        unnest(cast(source.sections as json[])) as section
    where section.unnest ->> 'section_key' = 'your_response'

),

stated as (

    select
        report_url,
        your_response_text,
        -- "within 56 days of the date of this report, namely by 6th March 2024"
        regexp_extract(your_response_text, '(?i)namely\s*(?:by|on|before)?\s*:?\s*(.{0,40})', 1)
            as stated_deadline_text
    from your_response

),

final as (

    select
        source.report_url,
        source.text_source,
        source.document_url as text_document_url,
        source.text_status,
        source.text_status = 'sections' as has_report_text,
        {{ clean_text('source.sent_to_text') }} as sent_to_in_report_text,
        source.sent_to_text as sent_to_in_report_raw,
        json_array_length(source.sections) as section_count,
        source.page_count,
        stated.stated_deadline_text,
        {{ text_date('stated.stated_deadline_text') }} as stated_response_due_date,
        source.parse_warnings,
        source.content_hash as text_content_hash,
        source.first_seen_at,
        source.last_seen_at
    from source
    left join stated on source.report_url = stated.report_url

)

select * from final
