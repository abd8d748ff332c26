-- One row per person named as deceased on a report. deceased_key is a stable pseudonymous key
-- (a hash of the report URL and the person's position on the page, never of the name), so
-- outputs can be built and joined without names.

with

deceased as (

    select * from {{ ref('stg_judiciary_pfd__deceased') }}

),

final as (

    select
        'dec_' || left(md5('pfd-deceased|' || report_url || '|' || cast(person_position as varchar)), 16)
            as deceased_key,
        report_url,
        person_position,
        deceased_name_clean as deceased_name,
        deceased_name_raw,
        is_redacted,
        is_probably_not_a_person
    from deceased

)

select * from final
