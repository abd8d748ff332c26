{#- The lookups every returns file's organisation names are resolved by (count returns in
    int_returns_resolved, FOI answers and requests in int_foi_organisations_resolved): one copy of
    the rule. Each macro is the body of a CTE. -#}

{#- the organisations dim_organisations is built from: listed, and seen as recipients or responders -#}
{% macro known_organisation_keys() %}
    select organisation_key from {{ ref('int_organisations_unioned') }}
    union
    select organisation_key from {{ ref('int_recipients_resolved') }}
    where organisation_key is not null
    union
    select organisation_key from {{ ref('int_responders_as_recipients') }}
    where organisation_key is not null
{% endmacro %}

{#- a listed name or alias (brackets kept) naming exactly one organisation -#}
{% macro listed_organisation_names() %}
    select
        name_key,
        any_value(organisation_key) as organisation_key
    from {{ ref('int_organisation_names_unioned') }}
    group by name_key
    having count(distinct organisation_key) = 1
{% endmacro %}

{#- an unlisted organisation seen as a recipient under exactly one name key -#}
{% macro unlisted_organisation_names() %}
    select
        recipient_name_key as name_key,
        any_value(organisation_key) as organisation_key
    from {{ ref('int_recipients_resolved') }}
    where organisation_key like 'name:%'
    group by recipient_name_key
    having count(distinct organisation_key) = 1
{% endmacro %}
