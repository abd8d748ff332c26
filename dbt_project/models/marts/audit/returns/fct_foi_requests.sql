-- One row per FOI request of the campaign (organisation x request_reference), from the current
-- version of each requests file: the organisation resolved as returns are (by the file's key,
-- then the name-key macros), its status and, as of the as_of var, whether it is late. The
-- statutory due date was computed when the file was loaded (foi_dates.statutory_due_date: the
-- 20th working day after receipt, FOIA s.10); working days late are counted on the same rule's
-- calendar (int_foi_working_days). A request is answered once the body answered, partly answered
-- or refused it (a refusal is an answer under FOIA s.17, and an outcome, never a zero); it is
-- late when it is not answered and as_of is after the due date.

with

requests as (

    select * from {{ ref('stg_returns__requests') }}

),

organisations_resolved as (

    select * from {{ ref('int_foi_organisations_resolved') }}

),

organisations as (

    select * from {{ ref('dim_organisations') }}

),

working_days as (

    select * from {{ ref('int_foi_working_days') }}

),

resolved as (

    select
        requests.*,
        organisations_resolved.resolution_method,
        organisations_resolved.resolution_method <> 'unresolved' as is_resolved,
        coalesce(organisations.current_organisation_key, organisations_resolved.organisation_key)
            as organisation_key,
        coalesce(
            organisations.current_organisation_name,
            organisations.canonical_name,
            requests.organisation_name
        ) as resolved_name,
        requests.status in ('answered', 'partially answered', 'refused')
        or requests.answer_date is not null as is_answered
    from requests
    left join organisations_resolved
        on
            requests.organisation_name = organisations_resolved.organisation_name
            and requests.organisation_key_given
            is not distinct from organisations_resolved.organisation_key_given
    left join organisations on organisations_resolved.organisation_key = organisations.organisation_key

),

flagged as (

    select
        *,
        not is_answered and {{ as_of_date() }} > statutory_due_date as is_late
    from resolved

),

late_days as (

    select
        flagged.request_row_id,
        count(*) filter (where working_days.is_working_day) as working_days_late
    from flagged
    inner join working_days
        on
            flagged.statutory_due_date < working_days.calendar_date
            and working_days.calendar_date <= {{ as_of_date() }}
    where flagged.is_late
    group by flagged.request_row_id

),

final as (

    select
        md5(
            coalesce(flagged.organisation_key, 'unresolved:' || flagged.organisation_name)
            || ':' || flagged.request_reference
        ) as foi_request_key,
        flagged.organisation_key,
        flagged.resolved_name as organisation_name,
        flagged.organisation_name as organisation_name_as_written,
        flagged.resolution_method,
        flagged.is_resolved,
        flagged.request_reference,
        flagged.date_sent,
        flagged.period_start,
        flagged.period_end,
        flagged.status,
        flagged.refusal_section,
        -- s21: "reasonably accessible by other means", i.e. the refusal cites the website
        coalesce(regexp_matches(flagged.refusal_section_key, '(^|[^0-9a-z])s21([^0-9]|$)'), false)
            as cites_website,
        flagged.answer_date,
        flagged.statutory_due_date,
        flagged.due_date_rule,
        flagged.is_answered,
        flagged.is_late,
        case when flagged.is_late then coalesce(late_days.working_days_late, 0) end
            as working_days_late,
        flagged.is_answered and flagged.answer_date > flagged.statutory_due_date as answered_late,
        flagged.note,
        flagged.file_name,
        flagged.file_sha256,
        flagged.row_number,
        {{ as_of_date() }} as as_of_date
    from flagged
    left join late_days on flagged.request_row_id = late_days.request_row_id

)

select * from final
