{#- Name keys for matching FOI answer lines to published reports (int_foi_report_lines_matched):
    the deceased's surname (last word, accents and punctuation dropped, lower case) and initials
    (first letters of every word, or of the first and last words). -#}

{% macro foi_name_words(col) -%}
    list_filter(
        string_split(
            trim(regexp_replace(lower(strip_accents(coalesce({{ col }}, ''))), '[^a-z\s-]', '', 'g')),
            ' '
        ),
        lambda w: w <> ''
    )
{%- endmacro %}

{% macro foi_surname_key(col) -%}
    nullif(replace(coalesce({{ foi_name_words(col) }}[-1], ''), '-', ''), '')
{%- endmacro %}

{% macro foi_initials_all(col) -%}
    nullif(upper(array_to_string(list_transform({{ foi_name_words(col) }}, lambda w: w[1]), '')), '')
{%- endmacro %}

{% macro foi_initials_first_last(col) -%}
    nullif(upper(
        coalesce({{ foi_name_words(col) }}[1][1], '') || coalesce({{ foi_name_words(col) }}[-1][1], '')
    ), '')
{%- endmacro %}
