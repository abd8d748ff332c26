-- Coroner names as written on report pages, normalised to one person key: titles, honours,
-- roles and stray punctuation removed ("HHJ", "Senior Coroner", "QC", "OBE").

with

reports as (

    select
        report_url,
        coroner_name_raw,
        coroner_name_text
    from {{ ref('stg_judiciary_pfd__reports') }}

),

stripped as (

    select
        *,
        {{ clean_text("""regexp_replace(regexp_replace(regexp_replace(lower(coroner_name_text),
            '\\b(hm |his honour judge |her honour judge |hhj |mr\\.? |mrs\\.? |ms\\.? |miss |dr\\.? |professor |prof\\.? |sir |dame |the )', ' ', 'g'),
            '\\b(senior|assistant|area|acting|deputy|chief|his majesty''s|her majesty''s|hm)?\\s*coroners?\\b.*$', ''),
            '\\b(qc|kc|obe|mbe|cbe|kbe)\\b|[^a-z\\- '']', ' ', 'g')""") }} as coroner_name_normalised
    from reports

),

final as (

    select
        report_url,
        coroner_name_raw,
        coroner_name_text,
        coroner_name_normalised,
        case
            when coroner_name_normalised is not null
                then {{ slugify('coroner_name_normalised') }}
        end as coroner_key,
        -- first and last name only, used to meet the Coroners' Society list half way
        case
            when coroner_name_normalised is not null then
                split_part(coroner_name_normalised, ' ', 1) || ' '
                || string_split(coroner_name_normalised, ' ')[-1]
        end as coroner_first_last
    from stripped

)

select * from final
