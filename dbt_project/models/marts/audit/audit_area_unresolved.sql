-- Every report counted under no coroner area, with the raw text that could not be placed, so no
-- report drops out of area figures unseen. The reason is area_resolution_method; the columns
-- after it are the evidence a reader can use to place it by hand.

with

resolution as (

    select * from {{ ref('int_report_coroner_areas') }}

),

final as (

    select
        report_url,
        ref,
        report_date,
        coroner_area_raw,
        coroner_area_glued_text,
        coroner_name,
        area_resolution_method,
        area_evidence,
        candidate_current_areas,
        coroner_period_evidence,
        coroner_society_areas
    from resolution
    where coroner_area is null

)

select * from final
