-- One row per report and section of the report's own words (the Regulation 28 template's
-- numbered sections), with the text exactly as read and a whitespace-cleaned copy.

with

source as (

    select * from {{ source('judiciary_pfd', 'report_texts') }}
    where text_status = 'sections'

),

sections as (

    select
        source.report_url,
        source.text_source,
        try_cast(section.unnest ->> 'number' as integer) as section_number,
        section.unnest ->> 'section_key' as section_key,
        section.unnest ->> 'heading' as section_heading,
        section.unnest ->> 'text' as section_text_raw
    from source,
        unnest(cast(source.sections as json[])) as section

),

final as (

    select
        report_url,
        section_number,
        coalesce(section_key, 'unrecognised') as section_key,
        section_heading,
        text_source,
        section_text_raw,
        {{ clean_text('section_text_raw') }} as section_text,
        coalesce(len(string_split(trim(regexp_replace(section_text_raw, '\s+', ' ', 'g')), ' ')), 0)
            as word_count
    from sections

)

select * from final
