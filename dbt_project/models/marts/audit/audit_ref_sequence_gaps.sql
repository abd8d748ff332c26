-- Reference numbers allocated but never published: for each ref year, every sequence number
-- between 1 and the highest valid one seen that no published report carries. Since 2019 the
-- sequence is nearly contiguous, so a gap there is a meaningful "not published" signal.

with

refs as (

    select
        ref_year,
        ref_sequence
    from {{ ref('fct_reports') }}
    where is_ref_valid

),

year_bounds as (

    select
        ref_year,
        max(ref_sequence) as max_sequence,
        count(distinct ref_sequence) as sequences_seen
    from refs
    group by ref_year

),

expected as (

    select
        ref_year,
        unnest(generate_series(1, max_sequence)) as ref_sequence
    from year_bounds

),

final as (

    select
        expected.ref_year,
        expected.ref_sequence,
        cast(expected.ref_year as varchar) || '-' || lpad(cast(expected.ref_sequence as varchar), 4, '0')
            as missing_ref,
        year_bounds.max_sequence as highest_sequence_seen,
        year_bounds.max_sequence - year_bounds.sequences_seen as gaps_in_year,
        expected.ref_year >= 2019 as is_contiguous_era
    from expected
    inner join year_bounds on expected.ref_year = year_bounds.ref_year
    left join refs
        on
            expected.ref_year = refs.ref_year
            and expected.ref_sequence = refs.ref_sequence
    where refs.ref_sequence is null

)

select * from final
