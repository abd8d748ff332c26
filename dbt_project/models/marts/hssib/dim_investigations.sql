-- One row per HSSIB/HSIB investigation that made at least one recommendation in the crawled
-- log: title, address, and how its recommendations stand as of the capture of their pages (captured_from ..
-- captured_to), capped at the as_of variable.

with

recommendations as (

    select * from {{ ref('stg_hssib_recommendations__recommendations') }}

),

statuses as (

    select
        recommendation_id,
        -- one status per recommendation (a recommendation with joint recipients has one row
        -- per recipient, all with the recommendation's status)
        min(response_status) as response_status
    from {{ ref('fct_safety_recommendations') }}
    group by recommendation_id

),

final as (

    select
        recommendations.investigation_id,
        -- the title most records give it (ties: alphabetical) and its first address
        mode(recommendations.investigation_title order by recommendations.investigation_title)
            as investigation_title,
        min(recommendations.investigation_url) as investigation_url,
        count(*) as recommendation_count,
        count(*) filter (where statuses.response_status = 'responded') as recommendations_responded,
        count(*) filter (
            where statuses.response_status in (
                'awaiting_at_capture', 'overdue_at_capture', 'no_response_at_capture'
            )
        ) as recommendations_open,
        count(*) filter (where statuses.response_status = 'not_captured')
            as recommendations_not_captured,
        list(distinct recommendations.reference order by recommendations.reference)
        filter (where recommendations.reference is not null) as recommendation_references,
        min(recommendations.response_received_date) as first_response_received_date,
        max(recommendations.response_received_date) as last_response_received_date,
        min(recommendations.captured_on) as captured_from,
        max(recommendations.captured_on) as captured_to
    from recommendations
    left join statuses on recommendations.recommendation_id = statuses.recommendation_id
    group by recommendations.investigation_id

)

select * from final
