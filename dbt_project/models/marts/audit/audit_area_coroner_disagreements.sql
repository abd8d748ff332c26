-- Findings, never corrections: reports whose page states an area that nothing else ties the
-- report's coroner to. The page's own area stays the report's area everywhere; a finding says
-- "check this page". Coroners move and act for neighbouring areas, so a coroner with several
-- areas is not a finding by itself: a report is listed only when its (current) area is
--   * not among the coroner's areas in the Coroners' Society list (matched on first and last
--     name; the list is undated), and
--   * named by none of the coroner's other reports, at any date,
-- and something places the coroner elsewhere:
--   not_in_society_list   the Society list gives the coroner other areas
--   not_in_other_reports  no single Society member matches, but two or more of the coroner's
--                         other reports within a year of this one name other areas only
-- evidence_strength is strong when both say so (the list gives other areas and two or more
-- other reports within a year name other areas only), weak when one source does.

with

stated as (

    select * from {{ ref('int_report_coroner_areas') }}
    -- only areas the page states: an area inferred from the coroner cannot disagree with them
    where
        area_resolution_method in ('area_line', 'area_glued_to_other_field')
        and coroner_key is not null

),

compared_area as (

    select
        *,
        coalesce(current_coroner_area, coroner_area) as compared_area
    from stated

),

same_area_elsewhere as (

    select distinct this_report.report_url
    from compared_area as this_report
    inner join compared_area as other_report
        on
            this_report.coroner_key = other_report.coroner_key
            and this_report.compared_area = other_report.compared_area
            and this_report.report_url <> other_report.report_url

),

compared as (

    select
        compared_area.*,
        len(compared_area.coroner_society_areas) > 0 as society_lists_areas,
        list_contains(compared_area.coroner_society_areas, compared_area.compared_area)
            as in_society_list,
        same_area_elsewhere.report_url is not null as in_other_reports
    from compared_area
    left join same_area_elsewhere on compared_area.report_url = same_area_elsewhere.report_url

),

final as (

    select
        report_url,
        ref,
        report_date,
        coroner_area_raw,
        coroner_area,
        current_coroner_area,
        coroner_name,
        coroner_key,
        coroner_society_member,
        coroner_society_areas,
        coroner_period_evidence as coroner_other_reports_within_a_year,
        coroner_period_report_count as coroner_other_report_count_within_a_year,
        case when society_lists_areas then 'not_in_society_list' else 'not_in_other_reports' end
            as reason,
        case
            when society_lists_areas and coroner_period_report_count >= 2 then 'strong'
            else 'weak'
        end as evidence_strength
    from compared
    where
        not in_society_list
        and not in_other_reports
        and (society_lists_areas or coroner_period_report_count >= 2)

)

select * from final
