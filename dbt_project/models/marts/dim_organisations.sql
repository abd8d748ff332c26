-- Every organisation a report was or could be sent to: listed NHS trusts (ods:) and curated
-- bodies (nb:), plus organisations in neither list seen in recipient lists (name:; listing_source
-- unlisted, or unresolved for an NHS-looking name that matches no listed trust, which has no
-- type), each with its type, ODS code and every raw spelling seen; and the body that answers for
-- it now (current_*: after closures, mergers and renames, int_organisations_unioned). A row is
-- current when it is its own current body: group by current_organisation_key to count "by
-- current organisation", by organisation_key to count "as named at the time".

with

listed as (

    select * from {{ ref('int_organisations_unioned') }}

),

recipients as (

    select
        organisation_key,
        organisation_name,
        organisation_type,
        recipient_raw,
        report_url,
        resolution_method,
        current_organisation_key
    from {{ ref('int_recipients_resolved') }}
    where organisation_key is not null

    union all

    -- an organisation that answered a report naming no one is one of its recipients too
    select
        responders.organisation_key,
        coalesce(listed.canonical_name, responders.response_organisation_text) as organisation_name,
        coalesce(listed.organisation_type, responders.unlisted_organisation_type) as organisation_type,
        responders.response_organisation_text as recipient_raw,
        responders.report_url,
        case
            when responders.responder_resolution = 'unresolved_nhs_name' then 'unresolved_nhs_name'
            else 'responder_as_recipient'
        end as resolution_method,
        coalesce(listed.current_organisation_key, responders.organisation_key) as current_organisation_key
    from {{ ref('int_responders_as_recipients') }} as responders
    left join listed on responders.organisation_key = listed.organisation_key

),

-- the name and type an unlisted organisation is seen with most often (ties: alphabetical)
seen_names as (

    select
        organisation_key,
        organisation_name,
        organisation_type,
        count(*) as pieces
    from recipients
    group by organisation_key, organisation_name, organisation_type

),

most_seen_names as (

    select *
    from seen_names
    qualify row_number() over (
        partition by organisation_key
        order by pieces desc, organisation_name asc, organisation_type asc nulls last
    ) = 1

),

seen as (

    select
        organisation_key,
        list(distinct recipient_raw order by recipient_raw) as raw_spellings,
        count(distinct report_url) as report_count,
        bool_or(resolution_method = 'unresolved_nhs_name') as is_unresolved_name
    from recipients
    group by organisation_key

),

reports_by_current_body as (

    select
        current_organisation_key as organisation_key,
        count(distinct report_url) as current_report_count
    from recipients
    group by current_organisation_key

),

unlisted as (

    select
        seen.organisation_key,
        most_seen_names.organisation_name as canonical_name,
        most_seen_names.organisation_type,
        null as country,
        null as ods_code,
        null::boolean as is_active,
        null::date as closed_on,
        -- nothing says an unlisted organisation closed: it is its own current body
        true as is_current,
        seen.organisation_key as current_organisation_key,
        most_seen_names.organisation_name as current_organisation_name,
        most_seen_names.organisation_type as current_organisation_type,
        null as current_organisation_confidence,
        0 as successor_steps,
        case when seen.is_unresolved_name then 'unresolved' else 'unlisted' end as listing_source
    from seen
    inner join most_seen_names on seen.organisation_key = most_seen_names.organisation_key
    where seen.organisation_key not in (select listed.organisation_key from listed)

),

all_organisations as (

    select
        organisation_key,
        canonical_name,
        organisation_type,
        country,
        ods_code,
        is_active,
        closed_on,
        is_current,
        current_organisation_key,
        current_organisation_name,
        current_organisation_type,
        current_organisation_confidence,
        successor_steps,
        listing_source
    from listed

    union all

    select * from unlisted

),

final as (

    select
        all_organisations.organisation_key,
        all_organisations.canonical_name,
        all_organisations.organisation_type,
        all_organisations.country,
        all_organisations.ods_code,
        all_organisations.listing_source,
        all_organisations.listing_source in ('ods_etr', 'curated') as is_listed,
        all_organisations.is_active,
        all_organisations.closed_on,
        all_organisations.is_current,
        all_organisations.current_organisation_key,
        all_organisations.current_organisation_name,
        all_organisations.current_organisation_type,
        current_body.country as current_organisation_country,
        all_organisations.current_organisation_confidence,
        all_organisations.successor_steps,
        -- the names before current_* existed (the analyst questions use them)
        all_organisations.current_organisation_key as successor_organisation_key,
        all_organisations.current_organisation_name as successor_name,
        current_body.ods_code as successor_ods_code,
        case
            when all_organisations.successor_steps > 0
                then all_organisations.current_organisation_confidence
        end as successor_confidence,
        coalesce(seen.report_count, 0) as report_count,
        coalesce(reports_by_current_body.current_report_count, 0) as current_report_count,
        coalesce(seen.raw_spellings, []) as raw_spellings
    from all_organisations
    left join seen on all_organisations.organisation_key = seen.organisation_key
    left join reports_by_current_body
        on all_organisations.organisation_key = reports_by_current_body.organisation_key
    left join all_organisations as current_body
        on all_organisations.current_organisation_key = current_body.organisation_key

)

select * from final
