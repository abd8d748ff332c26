-- Each line of a report-level FOI answer (current file versions only) matched to at most one
-- published report, with the method and its confidence:
--   ref               the line's ref, normalised, is a published report's ref (high);
--   date_and_name     same date of report, the deceased's surname similar (DuckDB
--                     jaro_winkler_similarity >= 0.85 on normalised surnames; medium);
--   date_and_initials same date of report, the same initials (all words, or first and last;
--                     medium);
--   date_only_unique  the only published report of that date addressed to the organisation (low).
-- The first method that finds a candidate decides; two equally good candidates are ambiguous and
-- the line stays unmatched, as does a line matching nothing (report_url and match_method null).
-- Date methods look only at reports addressed to the organisation (its recipients, current
-- organisation); a ref is one report whoever it was sent to. Names of the deceased are read here
-- to match and are not carried out of this model.

with

lines as (

    select * from {{ ref('stg_returns__report_lines') }}

),

organisations as (

    select * from {{ ref('int_foi_organisations_resolved') }}

),

reports as (

    select
        report_url,
        ref_normalised as ref,
        report_date
    from {{ ref('stg_judiciary_pfd__reports') }}

),

addressees as (

    select distinct
        report_url,
        coalesce(current_organisation_key, organisation_key) as organisation_key
    from {{ ref('int_recipients_resolved') }}
    where organisation_key is not null

),

deceased_names as (

    select
        report_url,
        {{ foi_surname_key('deceased_name') }} as surname_key,
        {{ foi_initials_all('deceased_name') }} as initials_all,
        {{ foi_initials_first_last('deceased_name') }} as initials_first_last
    from {{ ref('stg_judiciary_pfd__deceased') }}
    where deceased_name is not null

),

resolved_lines as (

    select
        lines.*,
        organisations.organisation_key,
        organisations.resolution_method,
        organisations.resolution_method <> 'unresolved' as is_resolved,
        {{ foi_surname_key('lines.deceased_name') }} as surname_key
    from lines
    left join organisations
        on
            lines.organisation_name = organisations.organisation_name
            and lines.organisation_key_given is not distinct from organisations.organisation_key_given

),

addressed_reports as (

    select
        addressees.organisation_key,
        reports.report_url,
        reports.report_date,
        count(*) over (
            partition by addressees.organisation_key, reports.report_date
        ) as reports_that_day
    from addressees
    inner join reports on addressees.report_url = reports.report_url
    where reports.report_date is not null

),

candidates as (

    select
        resolved_lines.report_line_id,
        reports.report_url,
        'ref' as match_method,
        1 as method_rank,
        1.0 as score
    from resolved_lines
    inner join reports on resolved_lines.ref = reports.ref

    union all

    select
        resolved_lines.report_line_id,
        addressed_reports.report_url,
        'date_and_name' as match_method,
        2 as method_rank,
        max(jaro_winkler_similarity(resolved_lines.surname_key, deceased_names.surname_key))
            as score
    from resolved_lines
    inner join addressed_reports
        on
            resolved_lines.organisation_key = addressed_reports.organisation_key
            and resolved_lines.report_date = addressed_reports.report_date
    inner join deceased_names on addressed_reports.report_url = deceased_names.report_url
    where jaro_winkler_similarity(resolved_lines.surname_key, deceased_names.surname_key) >= 0.85
    group by all

    union all

    select distinct
        resolved_lines.report_line_id,
        addressed_reports.report_url,
        'date_and_initials' as match_method,
        3 as method_rank,
        1.0 as score
    from resolved_lines
    inner join addressed_reports
        on
            resolved_lines.organisation_key = addressed_reports.organisation_key
            and resolved_lines.report_date = addressed_reports.report_date
    inner join deceased_names on addressed_reports.report_url = deceased_names.report_url
    where
        resolved_lines.initials = deceased_names.initials_all
        or resolved_lines.initials = deceased_names.initials_first_last

    union all

    select
        resolved_lines.report_line_id,
        addressed_reports.report_url,
        'date_only_unique' as match_method,
        4 as method_rank,
        1.0 as score
    from resolved_lines
    inner join addressed_reports
        on
            resolved_lines.organisation_key = addressed_reports.organisation_key
            and resolved_lines.report_date = addressed_reports.report_date
    where addressed_reports.reports_that_day = 1

),

ranked as (

    select
        *,
        rank() over (
            partition by report_line_id order by method_rank asc, score desc
        ) as candidate_rank
    from candidates

),

best as (

    select
        report_line_id,
        any_value(report_url) as report_url,
        any_value(match_method) as match_method,
        any_value(score) as match_score,
        count(distinct report_url) as best_candidate_count
    from ranked
    where candidate_rank = 1
    group by report_line_id

),

final as (

    select
        resolved_lines.report_line_id,
        resolved_lines.file_name,
        resolved_lines.file_sha256,
        resolved_lines.loaded_at,
        resolved_lines.sheet,
        resolved_lines.row_number,
        resolved_lines.organisation_name,
        resolved_lines.organisation_key_given,
        resolved_lines.organisation_key,
        resolved_lines.resolution_method,
        resolved_lines.is_resolved,
        resolved_lines.request_reference,
        resolved_lines.period_start,
        resolved_lines.period_end,
        resolved_lines.is_listed,
        resolved_lines.answer,
        resolved_lines.answer_as_written,
        resolved_lines.ref_as_written,
        resolved_lines.ref,
        resolved_lines.report_date,
        resolved_lines.deceased_name is not null as has_deceased_name,
        resolved_lines.initials is not null as has_initials,
        resolved_lines.coroner_area,
        resolved_lines.link,
        resolved_lines.note,
        case when best.best_candidate_count = 1 then best.report_url end as report_url,
        case when best.best_candidate_count = 1 then best.match_method end as match_method,
        case
            when best.best_candidate_count > 1 then null
            when best.match_method = 'ref' then 'high'
            when best.match_method in ('date_and_name', 'date_and_initials') then 'medium'
            when best.match_method = 'date_only_unique' then 'low'
        end as match_confidence,
        case when best.best_candidate_count = 1 then best.match_score end as match_score,
        coalesce(best.best_candidate_count, 0) as best_candidate_count
    from resolved_lines
    left join best on resolved_lines.report_line_id = best.report_line_id

)

select * from final
