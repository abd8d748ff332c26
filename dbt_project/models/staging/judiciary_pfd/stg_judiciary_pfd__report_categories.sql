-- One row per report and report type named in its category text (or, failing that, its
-- category pills). Matching is by an identifying phrase per type, so glued ("... related deaths
-- Community health care"), truncated and re-separated category strings still map to the 17 types.

with

reports as (

    select
        report_url,
        lower(coalesce(
            {{ clean_text('category_raw') }},
            {{ clean_text("array_to_string(cast(category_pills as varchar[]), ' | ')") }},
            ''
        )) as category_text
    from {{ ref('stg_judiciary_pfd__reports') }}

),

report_types as (

    select * from {{ ref('pfd_report_types') }}

),

prepared as (

    select
        report_url,
        category_text,
        -- the community type's name contains the emergency type's phrase; take it out first
        replace(
            category_text, 'community health care and emergency services related deaths',
            'community health care'
        ) as category_text_for_matching
    from reports

),

final as (

    select
        prepared.report_url,
        report_types.report_type_slug,
        report_types.display_name as report_type_name
    from prepared
    inner join report_types
        on contains(prepared.category_text_for_matching, report_types.match_pattern)

)

select * from final
