{#- Dates written in report text ("6th March 2024", "Monday 1st April 2024", "April 09, 2024",
    "13/10/23", "23.2.24"). Returns one SQL expression: a DATE, or null when the text holds no
    date in one of these forms or the date does not exist. -#}

{% macro text_date(col) -%}
    coalesce(
        -- day month year, with an optional weekday and ordinal suffix
        try_cast(try_strptime(
            regexp_extract({{ col }}, '(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})', 1)
            || ' ' || left(regexp_extract({{ col }}, '(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})', 2), 3)
            || ' ' || regexp_extract({{ col }}, '(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})', 3),
            '%d %b %Y') as date),
        -- month day, year
        try_cast(try_strptime(
            regexp_extract({{ col }}, '([A-Za-z]{3,9})\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})', 2)
            || ' ' || left(regexp_extract({{ col }}, '([A-Za-z]{3,9})\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})', 1), 3)
            || ' ' || regexp_extract({{ col }}, '([A-Za-z]{3,9})\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})', 3),
            '%d %b %Y') as date),
        -- numeric day/month/year with "/", "." or "-" and a two- or four-digit year
        try_cast(try_strptime(
            regexp_extract({{ col }}, '(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{2,4})', 1)
            || '/' || regexp_extract({{ col }}, '(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{2,4})', 2)
            || '/' || case
                when length(regexp_extract({{ col }}, '(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{2,4})', 3)) = 2
                    then '20' || regexp_extract({{ col }}, '(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{2,4})', 3)
                else regexp_extract({{ col }}, '(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{2,4})', 3)
            end,
            '%d/%m/%Y') as date)
    )
{%- endmacro %}
