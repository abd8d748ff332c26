-- Each recipient piece resolved to an organisation: the candidate matches of its name
-- (int_recipient_names_resolved, where the naming rules are described) that are valid at the
-- report date, the most trusted kept; a piece that holds several organisations (split or
-- contained names) yields each.
-- Then an organisation in neither list gets key name:<normalised name>, and a type only where
-- its words leave no doubt (unlisted_organisation_type: councils, police forces, prisons,
-- CCGs/ICBs, care homes, companies, schools, departments named fully). An NHS-looking name
-- that matches no listed trust ("West Ambulance Service Trust") keeps its name: key but no type
-- (resolution_method unresolved_nhs_name): words alone never make a trust. Anything else stays
-- unresolved (no key).
-- Dated names (a hospital site whose trust changed) resolve only when the report date is known.
--
-- Each resolved organisation also has the body that answers for it now (current_*, from
-- int_organisations_unioned): for a code that named two bodies in turn, the era of the report
-- date (the first closure on or after it), else the organisation's current body.


with

recipients as (

    select * from {{ ref('stg_judiciary_pfd__recipients') }}

),

report_dates as (

    select
        report_url,
        report_date
    from {{ ref('stg_judiciary_pfd__reports') }}

),

organisations as (

    select * from {{ ref('int_organisations_unioned') }}

),

piece_names as (

    select distinct recipient_name
    from recipients
    where recipient_kind = 'named' and recipient_name is not null

),

name_matches as (

    select * from {{ ref('int_recipient_names_resolved') }}

),

-- per piece: only names valid at the report date
piece_matches as (

    select
        recipients.report_recipient_id,
        matches.organisation_key,
        matches.resolution_method,
        matches.resolution_confidence,
        matches.resolution_method in ('split_name', 'contained_name') as is_multiple
    from recipients
    inner join name_matches as matches on recipients.recipient_name = matches.recipient_name
    left join report_dates on recipients.report_url = report_dates.report_url
    where
        recipients.recipient_kind = 'named'
        and (matches.valid_from is null or report_dates.report_date >= matches.valid_from)
        and (matches.valid_to is null or report_dates.report_date <= matches.valid_to)

),

most_trusted_matches as (

    select *
    from piece_matches
    where not is_multiple
    qualify resolution_confidence = max(resolution_confidence) over (
        partition by report_recipient_id
    )

),

best_single_match as (

    -- two organisations equally trusted is no answer at all: unresolved beats a guess
    select
        report_recipient_id,
        min(organisation_key) as organisation_key,
        min(resolution_method) as resolution_method,
        max(resolution_confidence) as resolution_confidence
    from most_trusted_matches
    group by report_recipient_id
    having count(distinct organisation_key) = 1

),

multiple_matches as (

    -- an organisation found both as a run of parts and contained whole is one row
    select
        report_recipient_id,
        organisation_key,
        min(resolution_method) filter (where resolution_method = 'split_name') as split_method,
        min(resolution_method) as any_method,
        max(resolution_confidence) as resolution_confidence,
        count(*) over (partition by report_recipient_id) as organisations_found
    from piece_matches
    where is_multiple
    group by report_recipient_id, organisation_key

),

pieces_read_as_several as (

    -- several organisations beat one found only by trimming or correcting the name; one found
    -- as written (0.9 or more) beats them
    select distinct multiple_matches.report_recipient_id
    from multiple_matches
    left join best_single_match
        on multiple_matches.report_recipient_id = best_single_match.report_recipient_id
    where
        best_single_match.report_recipient_id is null
        or (
            multiple_matches.organisations_found >= 2
            and best_single_match.resolution_confidence < 0.9
        )

),

best_listed_match as (

    select
        report_recipient_id,
        organisation_key,
        resolution_method,
        resolution_confidence
    from best_single_match
    where report_recipient_id not in (select report_recipient_id from pieces_read_as_several)

    union all

    select
        report_recipient_id,
        organisation_key,
        resolution_method,
        resolution_confidence
    from (
        select
            *,
            coalesce(split_method, any_method) as resolution_method
        from multiple_matches
    ) as several
    where report_recipient_id in (select report_recipient_id from pieces_read_as_several)

),

ruled_names as (

    select
        piece_names.recipient_name,
        {{ unlisted_organisation_type('recipient_name') }} as rule_organisation_type,
        {{ looks_like_nhs_trust('recipient_name') }} as looks_like_nhs_trust,
        {{ names_an_organisation('recipient_name') }} as names_organisation
    from piece_names

),

ruled as (

    select
        recipients.*,
        {{ org_name_key('recipients.recipient_name') }} as name_key,
        case when recipients.recipient_kind = 'named' then ruled_names.rule_organisation_type end
            as rule_organisation_type,
        recipients.recipient_kind = 'named' and coalesce(ruled_names.looks_like_nhs_trust, false)
            as looks_like_nhs_trust,
        coalesce(ruled_names.names_organisation, false) as names_organisation,
        report_dates.report_date
    from recipients
    left join ruled_names on recipients.recipient_name = ruled_names.recipient_name
    left join report_dates on recipients.report_url = report_dates.report_url

),

resolved as (

    select
        ruled.*,
        best_listed_match.organisation_key as listed_organisation_key,
        best_listed_match.resolution_method as listed_resolution_method,
        best_listed_match.resolution_confidence as listed_resolution_confidence,
        ruled.recipient_kind = 'named'
        and (
            ruled.rule_organisation_type is not null
            or ruled.looks_like_nhs_trust
            or ruled.names_organisation
        ) as is_unlisted_organisation
    from ruled
    left join best_listed_match
        on ruled.report_recipient_id = best_listed_match.report_recipient_id

),

keyed_recipients as (

    select
        resolved.report_recipient_id || coalesce('@' || resolved.listed_organisation_key, '')
            as recipient_resolution_id,
        resolved.report_recipient_id,
        resolved.report_url,
        resolved.recipient_source,
        resolved.recipient_position,
        resolved.recipient_raw,
        resolved.recipient_name,
        resolved.job_title,
        resolved.recipient_kind,
        resolved.name_key as recipient_name_key,
        coalesce(
            resolved.listed_organisation_key,
            case
                when resolved.is_unlisted_organisation
                    then 'name:' || {{ slugify('resolved.name_key') }}
            end
        ) as organisation_key,
        coalesce(
            organisations.canonical_name,
            case when resolved.is_unlisted_organisation then resolved.recipient_name end
        ) as organisation_name,
        case
            when resolved.listed_organisation_key is not null then organisations.organisation_type
            when resolved.rule_organisation_type is not null then resolved.rule_organisation_type
            -- an NHS-looking name that matches no listed trust is not typed by its words
            when resolved.looks_like_nhs_trust then null
            when resolved.is_unlisted_organisation then 'other'
        end as organisation_type,
        case
            when resolved.listed_organisation_key is not null then resolved.listed_resolution_method
            when resolved.recipient_kind <> 'named' then 'not_organisation_' || resolved.recipient_kind
            when resolved.rule_organisation_type is not null then 'unlisted_type_rule'
            when resolved.looks_like_nhs_trust then 'unresolved_nhs_name'
            when resolved.names_organisation then 'unlisted'
            else 'unresolved'
        end as resolution_method,
        case
            when resolved.listed_organisation_key is not null
                then resolved.listed_resolution_confidence
            when resolved.rule_organisation_type is not null then 0.6
            when resolved.looks_like_nhs_trust then 0.0
            when resolved.names_organisation then 0.3
            else 0.0
        end as resolution_confidence,
        resolved.listed_organisation_key is not null as is_listed_organisation,
        organisations.ods_code,
        -- the era of the report date (successor_eras is ordered by closure date)
        list_filter(
            organisations.successor_eras,
            lambda era: struct_extract(era, 'closed_on') >= resolved.report_date
        )[1] as report_era,
        organisations.current_organisation_key as listed_current_key,
        organisations.current_organisation_confidence as listed_current_confidence
    from resolved
    left join organisations
        on resolved.listed_organisation_key = organisations.organisation_key

),

currented as (

    select
        keyed_recipients.* exclude (report_era, listed_current_key, listed_current_confidence),
        coalesce(
            keyed_recipients.report_era.current_organisation_key,
            keyed_recipients.listed_current_key,
            keyed_recipients.organisation_key
        ) as current_organisation_key,
        coalesce(
            keyed_recipients.report_era.current_organisation_confidence,
            keyed_recipients.listed_current_confidence
        ) as current_organisation_confidence
    from keyed_recipients

),

final as (

    select
        currented.*,
        coalesce(current_body.canonical_name, currented.organisation_name)
            as current_organisation_name,
        case
            when currented.is_listed_organisation then current_body.organisation_type
            else currented.organisation_type
        end as current_organisation_type,
        -- the name before current_organisation_key existed (the analyst questions use it)
        currented.current_organisation_key as successor_organisation_key
    from currented
    left join organisations as current_body
        on currented.current_organisation_key = current_body.organisation_key

)

select * from final
