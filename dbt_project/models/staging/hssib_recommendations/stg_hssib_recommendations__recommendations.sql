-- depends_on: {{ source('hssib_recommendations', 'recommendations') }}
-- One row per HSSIB/HSIB safety recommendation page (latest observation), typed, with the
-- recipient list as a VARCHAR[] and flags derived from the raw text. Text is kept verbatim.
-- When the raw table does not exist (HSSIB never crawled, pipeline did not create it) the model
-- is empty with the same columns, so dbt builds either way.

{%- set raw_relation = load_relation(source('hssib_recommendations', 'recommendations')) if execute else none %}
{%- set raw_exists = raw_relation is not none %}
{#- A table loaded before pages stated their capture lacks these two columns until HSSIB is next
    loaded (the loader adds them): they read as null, i.e. captured by the crawl. -#}
{%- set raw_columns = [] %}
{%- if raw_exists %}
    {%- set raw_columns = adapter.get_columns_in_relation(raw_relation) | map(attribute='name') | list %}
{%- endif %}

with

raw_recommendations as (

    {% if raw_exists %}
        select
            *
            {%- if 'captured_on' not in raw_columns %},
                null::date as captured_on,
                null::varchar as capture_date_basis
            {%- endif %}
        from {{ source('hssib_recommendations', 'recommendations') }}
    {% else %}
        select
            null::varchar as recommendation_key,
            null::varchar as log_url,
            null::varchar as page_path,
            null::varchar as source_page_kind,
            null::integer as listing_page,
            null::varchar as page_title,
            null::varchar as investigation_title,
            null::varchar as investigation_url,
            null::varchar as investigation_source,
            null::varchar as reference,
            null::varchar as reference_source,
            null::varchar as recommendation_date_raw,
            null::date as recommendation_date,
            null::varchar as recipient_heading,
            null::varchar as recommendation_prefix,
            null::varchar as recipient_phrase,
            null::json as recipients,
            null::varchar as recipients_source,
            null::varchar as recommendation_text,
            null::varchar as response_text,
            null::varchar as closure_note,
            null::varchar as actions_heading,
            null::json as planned_actions,
            null::boolean as links_label_present,
            null::json as additional_sections,
            null::varchar as response_received_raw,
            null::date as response_received_date,
            null::boolean as truncated,
            null::varchar as truncated_in,
            null::json as parse_warnings,
            null::varchar as content_hash,
            null::timestamp as first_seen_at,
            null::timestamp as last_seen_at,
            null::timestamp as last_changed_at,
            null::varchar as last_seen_run_id,
            null::date as first_seen_on,
            null::date as last_seen_on,
            null::date as captured_on,
            null::varchar as capture_date_basis
        where false
    {% endif %}

),

final as (

    select
        recommendation_key as recommendation_id,
        log_url,
        page_path,
        log_url is not null as is_log_url_known,
        source_page_kind,
        listing_page,
        page_title,
        md5(coalesce(investigation_url, 'title:' || lower(trim(investigation_title))))
            as investigation_id,
        investigation_title,
        investigation_url,
        investigation_source,
        reference,
        reference_source,
        recommendation_date_raw,
        recommendation_date,
        recipient_heading,
        recommendation_prefix,
        recipient_phrase,
        recipients::varchar[] as recipients,
        json_array_length(recipients) as recipient_count,
        recipients_source,
        recommendation_text,
        response_text,
        response_received_raw,
        response_received_date,
        response_text is not null or response_received_date is not null as has_response,
        closure_note,
        closure_note is not null as is_closed_without_response,
        actions_heading,
        planned_actions,
        json_array_length(planned_actions) as planned_action_count,
        coalesce(links_label_present, false) as links_label_present,
        additional_sections,
        coalesce(truncated, false) as is_record_cut_off,
        truncated_in,
        parse_warnings::varchar[] as parse_warnings,
        content_hash,
        first_seen_at,
        last_seen_at,
        last_changed_at,
        last_seen_run_id,
        first_seen_on,
        last_seen_on,
        -- The day the page's content was captured, which every status is "as of". A page that
        -- states its capture (the offline replica: on or after a date, since the stored copies
        -- record none) gives a lower bound, raised to any later date the page itself shows;
        -- otherwise the latest crawl that saw this content (last_seen_on) captured it.
        case
            when capture_date_basis = 'on_or_after'
                then greatest(captured_on, recommendation_date, response_received_date)
            else last_seen_on
        end as captured_on,
        case
            when capture_date_basis = 'on_or_after' then 'on_or_after' else 'crawl'
        end as capture_date_basis
    from raw_recommendations

)

select * from final
