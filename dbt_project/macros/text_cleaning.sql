{#- Shared text normalisation. Every macro returns one SQL expression, so the same rule is used
    wherever a raw spelling is compared with a reference name. -#}

{% macro clean_text(col) -%}
    {#- Non-breaking spaces and runs of whitespace are rendering artefacts of the site, not content. -#}
    nullif(trim(regexp_replace(replace({{ col }}, chr(160), ' '), '\s+', ' ', 'g')), '')
{%- endmacro %}

{% macro as_of_date() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value in (none, '', 'today') -%}
        date '{{ modules.datetime.date.today().isoformat() }}'
    {%- else -%}
        date '{{ value }}'
    {%- endif -%}
{%- endmacro %}

{% macro coroner_area_key(col) -%}
    {#- Order-insensitive token key: "Inner North London", "London Inner (North)" and
        "London North (Inner)" are one area. Tokens are kept with duplicates so that
        "West Yorkshire (West)" never collapses onto a bare "West Yorkshire". -#}
    array_to_string(list_sort(list_transform(list_filter(string_split(trim(regexp_replace(
        regexp_replace(
            regexp_replace(lower(string_split(regexp_replace(
                regexp_extract(replace(coalesce({{ col }}, ''), chr(160), ' '), '^[^\n]*'),
                '(?i)category\s*:.*$', ''), ';')[-1]), '&', ' and ', 'g'),
            'coroner[’'']s court', ' ', 'g'),
        '[^a-z0-9]+', ' ', 'g')), ' '),
        lambda t: t not in ('', 'and', 'the', 'of', 'city', 'county', 'upon', 'on', 'coroner',
            'coroners', 'court', 'service', 'area', 'jurisdiction', 'district', 'districts',
            'division', 's', 'category')),
        lambda t: case t when 'eastern' then 'east' when 'western' then 'west'
            when 'northern' then 'north' when 'southern' then 'south' when 'e' then 'east'
            else t end)), ' ')
{%- endmacro %}

{% macro org_name_key(col, strip_brackets=true) -%}
    {#- Exact-match key for organisation names: case, punctuation, "&" and a leading "The" do not
        distinguish organisations; an apostrophe joins rather than separates ("King's College",
        "Chiefs' Council"); "SoS" and "Dept" are the same words written short. Bracketed text is
        dropped for recipient pieces ("(AACE)") but kept for listed names, where it distinguishes
        "Department of Health (Northern Ireland)" from the Department of Health. -#}
    nullif(trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(regexp_replace(
        lower(replace(coalesce({{ col }}, ''), chr(160), ' ')),
        {% if strip_brackets %}'\([^)]*\)'{% else %}'[()]'{% endif %}, ' ', 'g'),
        '[''’‘`]', '', 'g'),
        '&', ' and ', 'g'),
        '[^a-z0-9]+', ' ', 'g'),
        '\bsos\b', 'secretary of state', 'g'),
        '\bdept\b', 'department', 'g'),
        '^ *the ', '')), '')
{%- endmacro %}

{% macro org_loose_key(col) -%}
    {#- Looser key for NHS names written without "NHS", "Foundation" or "Trust"
        ("Devon Partnership Trust"); only used when it is unique among listed names. -#}
    nullif(array_to_string(list_filter(string_split({{ org_name_key(col) }}, ' '),
        lambda t: t not in ('nhs', 'foundation', 'trust', 'trusts', 'the', 'national',
            'service', 'services', 'hospitals', 'hospital', 'university', 'teaching')), ' '), '')
{%- endmacro %}

{% macro slugify(col) -%}
    nullif(trim(regexp_replace(lower(strip_accents(coalesce({{ col }}, ''))), '[^a-z0-9]+', '-', 'g'), '-'), '')
{%- endmacro %}
