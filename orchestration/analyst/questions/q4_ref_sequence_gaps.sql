-- Question 4: reference numbers allocated but never published (gaps in each year's sequence).
-- From 2019 the sequence is nearly contiguous, so a gap there is a meaningful signal.
select
    ref_year,
    count(*) as missing_refs,
    any_value(highest_sequence_seen) as highest_sequence_seen,
    bool_and(is_contiguous_era) as is_contiguous_era,
    string_agg(missing_ref, ', ' order by ref_sequence) as missing
from main.audit_ref_sequence_gaps
group by ref_year
order by ref_year
