-- Every organisation a report was or could be sent to: listed NHS trusts (ods:) and curated
-- bodies (nb:), plus unlisted organisations seen in recipient lists (name:), each with its type,
-- ODS code, current successor after mergers, and every raw spelling seen.

with

listed as (

    select * from {{ ref('int_organisations_unioned') }}

),

recipients as (

    select * from {{ ref('int_recipients_resolved') }}
    where organisation_key is not null

),

seen as (

    select
        organisation_key,
        mode(organisation_name) as organisation_name,
        mode(organisation_type) as organisation_type,
        list(distinct recipient_raw order by recipient_raw) as raw_spellings,
        count(distinct report_url) as report_count
    from recipients
    group by organisation_key

),

unlisted as (

    select
        seen.organisation_key,
        seen.organisation_name as canonical_name,
        seen.organisation_type,
        null as country,
        null as ods_code,
        null::boolean as is_active,
        seen.organisation_key as successor_organisation_key,
        null as successor_confidence,
        'unlisted' as listing_source
    from seen
    where seen.organisation_key not in (select organisation_key from listed)

),

all_organisations as (

    select * from listed
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
        all_organisations.listing_source <> 'unlisted' as is_listed,
        all_organisations.is_active,
        all_organisations.successor_organisation_key,
        successor.canonical_name as successor_name,
        successor.ods_code as successor_ods_code,
        all_organisations.successor_confidence,
        coalesce(seen.report_count, 0) as report_count,
        coalesce(seen.raw_spellings, []) as raw_spellings
    from all_organisations
    left join seen on all_organisations.organisation_key = seen.organisation_key
    left join listed as successor
        on all_organisations.successor_organisation_key = successor.organisation_key

)

select * from final
