-- Coroner names as written on report pages, normalised to one person key: titles, honours,
-- roles, accents and stray punctuation removed ("HHJ", "Senior Coroner", "QC", "Séan"). Each name is met
-- with the Coroners' Society list on first and last name, only when exactly one member has them
-- (the list is undated: the roles it gives are the member's roles when it was taken, not at the
-- report date).

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
        {{ clean_text("""regexp_replace(regexp_replace(regexp_replace(lower(strip_accents(coroner_name_text)),
            '\\b(hm |his honour judge |her honour judge |hhj |mr\\.? |mrs\\.? |ms\\.? |miss |dr\\.? |professor |prof\\.? |sir |dame |the )', ' ', 'g'),
            '\\b(senior|assistant|area|acting|deputy|chief|his majesty''s|her majesty''s|hm)?\\s*coroners?\\b.*$', ''),
            '\\b(qc|kc|obe|mbe|cbe|kbe)\\b|[^a-z\\- '']', ' ', 'g')""") }} as coroner_name_normalised
    from reports

),

named as (

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
            when coroner_name_normalised is not null
                then
                    split_part(coroner_name_normalised, ' ', 1) || ' '
                    || string_split(coroner_name_normalised, ' ')[-1]
        end as coroner_first_last
    from stripped

),

society as (

    select
        name as member_name_raw,
        title,
        role,
        {{ clean_text("""regexp_replace(regexp_replace(lower(strip_accents(name)),
            '\\b(hhj|mr|mrs|ms|miss|dr|professor|prof|sir|dame|the|qc|kc|obe|mbe|cbe)\\b\\.?', ' ', 'g'),
            '[^a-z\\- '']', ' ', 'g')""") }} as member_name
    from {{ ref('coroners') }}

),

society_members as (

    -- one person may hold several roles (rows); two people sharing a first and last name match
    -- no one. Roles are sorted so the lists are the same on every run.
    select
        split_part(member_name, ' ', 1) || ' ' || string_split(member_name, ' ')[-1] as first_last,
        min(member_name_raw) as society_member_name,
        string_agg(distinct title, '; ' order by title) as society_title,
        string_agg(distinct role, '; ' order by role) as society_role,
        list(distinct role order by role) filter (where role is not null) as society_roles
    from society
    where member_name is not null
    group by first_last
    having count(distinct member_name) = 1

),

final as (

    select
        named.report_url,
        named.coroner_name_raw,
        named.coroner_name_text,
        named.coroner_name_normalised,
        named.coroner_key,
        named.coroner_first_last,
        society_members.society_member_name,
        society_members.society_title,
        society_members.society_role,
        coalesce(society_members.society_roles, []) as society_roles
    from named
    left join society_members on named.coroner_first_last = society_members.first_last

)

select * from final
