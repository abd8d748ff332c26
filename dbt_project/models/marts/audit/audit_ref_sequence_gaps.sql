-- Reference numbers allocated but never published: for each ref year, every sequence number
-- between 1 and the highest valid one seen that no published report carries, one row each. The
-- gaps are found once, per year, in audit_ref_sequence_years; this model lists them. Since 2019
-- the sequence is nearly contiguous, so a gap there is a meaningful "not published" signal.

with

years as (

    select * from {{ ref('audit_ref_sequence_years') }}

),

missing as (

    select
        ref_year,
        unnest(missing_sequences) as ref_sequence,
        unnest(missing_ref_list) as missing_ref,
        highest_sequence_seen,
        gaps_in_year,
        is_contiguous_era
    from years

),

final as (

    select
        ref_year,
        ref_sequence,
        missing_ref,
        highest_sequence_seen,
        gaps_in_year,
        is_contiguous_era
    from missing

)

select * from final
