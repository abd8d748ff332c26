-- One row per person named as deceased on a report page. A report can name several people
-- ("A and B", "A; B"); "REDACTED" and bracketed counters such as "(1)" are kept as flags.

with

reports as (

    select
        report_url,
        deceased_name_raw,
        deceased_name_text
    from {{ ref('stg_judiciary_pfd__reports') }}
    where deceased_name_text is not null

),

split as (

    select
        report_url,
        deceased_name_raw,
        regexp_split_to_array(deceased_name_text, '\s*(?:;|\|)\s*|\s+(?:and|&)\s+') as names
    from reports

),

named as (

    select
        report_url,
        deceased_name_raw,
        {{ clean_text('unnest(names)') }} as deceased_name_part,
        generate_subscripts(names, 1) as person_position
    from split

),

final as (

    select
        report_url,
        person_position,
        deceased_name_raw,
        deceased_name_part as deceased_name,
        {{ clean_text("regexp_replace(deceased_name_part, '\\s*\\(\\d+\\)\\s*$', '')") }} as deceased_name_clean,
        regexp_matches(lower(deceased_name_part), 'redacted') as is_redacted,
        -- "Air India Boeing 787" names no person
        regexp_matches(lower(deceased_name_part), '\b(boeing|airbus|flight|crash|ltd|limited|fire)\b|\d{3,}')
            as is_probably_not_a_person
    from named
    where deceased_name_part is not null

)

select * from final
