-- One row per report page: the coroner area the report is counted under, the rule that placed
-- it (area_resolution_method), how sure that is and the evidence, or why it stays unresolved.
-- Rules, first that applies:
--   area_line                 the page's "Coroner Area" line names an area (high)
--   area_glued_to_other_field the area line is blank and "Coroner Area: X" sits inside another
--                             header field, e.g. the coroner name (high)
--   coroner_other_reports     the area line is blank; the coroner's other reports dated within a
--                             year name one area only, at least twice, and the Coroners' Society
--                             list does not place the coroner elsewhere (medium)
--   partial_name_and_coroner_other_reports
--                             the line is part of several areas' names ("West Yorkshire") and
--                             the coroner's other reports within a year name one of them only,
--                             at least twice, and the Society list does not disagree (medium)
-- otherwise unresolved_blank, unresolved_partial_name, unresolved_joint_name (a joint name such as
-- "Coventry and Warwickshire": the page names two areas, and their coroners report under both,
-- so no one is chosen) or unresolved_no_known_area ("Central Criminal Court").

{%- set glued_fields = [] -%}
{%- for field in ['coroner_name_raw', 'date_of_report_raw', 'deceased_name_raw', 'ref_raw'] -%}
    {%- do glued_fields.append("nullif(regexp_extract(" ~ field
        ~ ", '(?is)coroner[’'']?s?\\s+area\\s*:\\s*(.*)$', 1), '')") -%}
{%- endfor -%}
{%- set glued_fields = glued_fields | join(', ') %}

with

reports as (

    select
        report_url,
        ref_normalised as ref,
        report_date,
        coalesce(report_date, published_date) as evidence_date,
        coroner_area_raw,
        -- "Coroner Area: X" glued into another header field (first field that has it); the text
        -- stops at the next label
        {{ clean_text("""regexp_replace(coalesce(""" ~ glued_fields ~ """),
            '(?is)\\s+(category|ref|deceased|date of|coroner[’'']?s? name|this report)[^:]{0,30}:.*$', '')""") }}
            as coroner_area_glued_text
    from {{ ref('stg_judiciary_pfd__reports') }}

),

spellings as (

    select * from {{ ref('int_coroner_areas_resolved') }}

),

coroners as (

    select * from {{ ref('int_coroners_normalised') }}

),

resolved_keys as (

    -- a spelling's resolution depends on its key alone, so any text with a known key resolves
    -- the way the page spellings did (aliases included)
    select
        area_key,
        min(coroner_area) as coroner_area,
        min(current_coroner_area) as current_coroner_area,
        bool_and(is_current_area) as is_current_area
    from spellings
    where coroner_area is not null
    group by area_key

),

area_by_key as (

    select * from resolved_keys

    union all

    select
        area_key,
        coroner_area,
        current_coroner_area,
        is_current as is_current_area
    from {{ ref('int_coroner_areas_unioned') }}
    where area_key not in (select resolved_keys.area_key from resolved_keys)

),

society_areas as (

    select
        society_roles.report_url,
        list(distinct area_by_key.current_coroner_area order by area_by_key.current_coroner_area)
            as coroner_society_areas
    from (
        select
            report_url,
            unnest(society_roles) as society_role
        from coroners
    ) as society_roles
    inner join area_by_key
        on {{ coroner_area_key('society_roles.society_role') }} = area_by_key.area_key
    where area_by_key.current_coroner_area is not null
    group by society_roles.report_url

),

stated as (

    -- what the page itself says: its area line, else an area glued into another field
    select
        reports.report_url,
        reports.ref,
        reports.report_date,
        reports.evidence_date,
        reports.coroner_area_raw,
        reports.coroner_area_glued_text,
        coroners.coroner_key,
        coroners.coroner_name_text as coroner_name,
        coroners.society_member_name as coroner_society_member,
        spellings.resolution_method as spelling_resolution_method,
        spellings.unresolved_kind,
        spellings.candidate_current_areas,
        case
            when spellings.coroner_area is not null then 'area_line'
            when spellings.resolution_method = 'missing' and glued.coroner_area is not null
                then 'area_glued_to_other_field'
        end as stated_method,
        case
            when spellings.coroner_area is not null then spellings.coroner_area
            when spellings.resolution_method = 'missing' then glued.coroner_area
        end as stated_coroner_area,
        case
            when spellings.coroner_area is not null then spellings.current_coroner_area
            when spellings.resolution_method = 'missing' then glued.current_coroner_area
        end as stated_current_coroner_area
    from reports
    left join coroners on reports.report_url = coroners.report_url
    left join spellings on reports.coroner_area_raw is not distinct from spellings.coroner_area_raw
    left join area_by_key as glued
        on
            {{ coroner_area_key('reports.coroner_area_glued_text') }} = glued.area_key
            and reports.coroner_area_glued_text is not null

),

period_reports as (

    -- the areas the same coroner's other reports state, dated within a year of this one
    select
        this_report.report_url,
        other_report.stated_current_coroner_area as current_coroner_area,
        count(*) as report_count
    from stated as this_report
    inner join stated as other_report
        on
            this_report.coroner_key = other_report.coroner_key
            and this_report.report_url <> other_report.report_url
            and abs(date_diff('day', this_report.evidence_date, other_report.evidence_date)) <= 365
    where other_report.stated_current_coroner_area is not null
    group by this_report.report_url, other_report.stated_current_coroner_area

),

period_areas as (

    select
        report_url,
        list(current_coroner_area order by current_coroner_area) as coroner_period_areas,
        string_agg(
            current_coroner_area || ' (' || report_count || ')', '; '
            order by report_count desc, current_coroner_area asc
        ) as coroner_period_evidence,
        sum(report_count) as coroner_period_report_count
    from period_reports
    group by report_url

),

period_candidates as (

    -- the coroner's period areas that the page could mean (any area when the line is blank)
    select
        period_reports.report_url,
        count(*) as candidate_count,
        -- the candidate when there is one only (candidate_count = 1)
        min(period_reports.current_coroner_area) as period_candidate,
        sum(period_reports.report_count) as candidate_report_count
    from period_reports
    inner join stated on period_reports.report_url = stated.report_url
    where
        stated.stated_method is null
        and (
            (stated.spelling_resolution_method = 'missing' and stated.coroner_area_glued_text is null)
            or (
                stated.unresolved_kind = 'partial_name'
                and list_contains(stated.candidate_current_areas, period_reports.current_coroner_area)
            )
        )
    group by period_reports.report_url

),

decided as (

    select
        stated.*,
        period_areas.coroner_period_areas,
        period_areas.coroner_period_evidence,
        coalesce(period_areas.coroner_period_report_count, 0) as coroner_period_report_count,
        coalesce(society_areas.coroner_society_areas, []) as coroner_society_areas,
        period_candidates.period_candidate,
        case
            when stated.stated_method is not null then stated.stated_method
            when
                period_candidates.candidate_count = 1
                and period_candidates.candidate_report_count >= 2
                and (
                    society_areas.coroner_society_areas is null
                    or list_contains(society_areas.coroner_society_areas, period_candidates.period_candidate)
                )
                then
                    case
                        when stated.unresolved_kind = 'partial_name'
                            then 'partial_name_and_coroner_other_reports'
                        else 'coroner_other_reports'
                    end
            when stated.spelling_resolution_method = 'missing' then 'unresolved_blank'
            else 'unresolved_' || coalesce(stated.unresolved_kind, 'no_known_area')
        end as area_resolution_method
    from stated
    left join period_areas on stated.report_url = period_areas.report_url
    left join society_areas on stated.report_url = society_areas.report_url
    left join period_candidates on stated.report_url = period_candidates.report_url

),

inferred as (

    select
        * exclude (period_candidate),
        -- the coroner's one period area, only where a rule above placed the report by it
        case
            when area_resolution_method in ('coroner_other_reports', 'partial_name_and_coroner_other_reports')
                then period_candidate
        end as inferred_current_area
    from decided

),

final as (

    select
        report_url,
        ref,
        report_date,
        coroner_name,
        coroner_key,
        coroner_area_raw,
        coroner_area_glued_text,
        -- an area inferred from the coroner is one of the 77 current areas itself
        {{ slugify('coalesce(stated_coroner_area, inferred_current_area)') }} as coroner_area_key,
        coalesce(stated_coroner_area, inferred_current_area) as coroner_area,
        {{ slugify('coalesce(stated_current_coroner_area, inferred_current_area)') }} as current_coroner_area_key,
        coalesce(stated_current_coroner_area, inferred_current_area) as current_coroner_area,
        area_resolution_method,
        case
            when area_resolution_method in ('area_line', 'area_glued_to_other_field') then 'high'
            when area_resolution_method like 'unresolved%' then 'none'
            else 'medium'
        end as area_resolution_confidence,
        spelling_resolution_method,
        candidate_current_areas,
        coroner_period_areas,
        coroner_period_evidence,
        coroner_period_report_count,
        coroner_society_member,
        coroner_society_areas,
        case
            when area_resolution_method = 'area_line'
                then 'the area line names it (' || spelling_resolution_method || ')'
            else
                concat_ws(
                    '; ',
                    case area_resolution_method
                        when 'area_glued_to_other_field'
                            then
                                'area line blank; "Coroner Area: ' || coroner_area_glued_text
                                || '" is glued into another header field'
                        when 'unresolved_joint_name'
                            then
                                'the line names ' || array_to_string(candidate_current_areas, ' and ')
                                || ' jointly, and coroners of each report under both: none is chosen'
                        when 'unresolved_no_known_area' then 'the line names no coroner area in the reference lists'
                        when 'unresolved_partial_name'
                            then 'the line is part of the names of ' || array_to_string(candidate_current_areas, ', ')
                        when 'partial_name_and_coroner_other_reports'
                            then 'the line is part of the names of ' || array_to_string(candidate_current_areas, ', ')
                        else 'area line blank'
                    end,
                    case when coroner_key is null then 'no coroner named' end,
                    'coroner''s other reports within a year: ' || coalesce(coroner_period_evidence, 'none'),
                    'Coroners'' Society list: ' || case
                        when coroner_society_member is null then 'no single member matches'
                        when len(coroner_society_areas) = 0 then 'no area role'
                        else array_to_string(coroner_society_areas, ', ')
                    end
                )
        end as area_evidence
    from inferred

)

select * from final
