{{ config(materialized="table") }}

-- One row per named recipient piece of a report's addressee list: the page header's "This report
-- is being sent to" text, or, when the header names no one, the addressee block written in the
-- report itself ("THIS REPORT IS BEING SENT TO", read from the page or the PDF); recipient_source
-- says which. Where both exist the header is used (disagreements are counted by `pfdw quality`).
-- Hard separators (" | ", ";", new lines) always split; commas and " and " split only between two
-- organisation-like parts (see macros/recipient_patterns.sql); leading job titles and personal
-- names written before an organisation are moved to job_title; trailing postal addresses are cut.

with

header_lists as (

    select
        report_url,
        'header' as recipient_source,
        sent_to_raw as addressee_raw
    from {{ ref('stg_judiciary_pfd__reports') }}
    where sent_to_text is not null

),

report_text_lists as (

    select
        texts.report_url,
        'report_text' as recipient_source,
        -- a numbered list ("1. Chief Executive ...") is one addressee per line
        regexp_replace(texts.sent_to_in_report_raw, '(?m)^\s*\(?\d{1,2}[.)]\s+', '', 'g') as addressee_raw
    from {{ ref('stg_judiciary_pfd__report_texts') }} as texts
    where
        texts.sent_to_in_report_text is not null
        and texts.report_url not in (select header_lists.report_url from header_lists)

),

reports as (

    select
        report_url,
        recipient_source,
        -- keep new lines (they separate recipients) but drop a glued label prefix, and join a
        -- line that cannot end a name ("National Institute for Health and\nCare Excellence")
        regexp_replace(
            regexp_replace(
                replace(addressee_raw, chr(160), ' '),
                '(?i)^\s*th[a-z ]+(?:being |been |was being |is )?sent to\s*:?\s*', ''
            ),
            '(?i)[ \t]+(and|of|for|&|the|in|on)[ \t]*\r?\n\s*', ' \1 ', 'g'
        ) as sent_to_raw_text
    from (
        select * from header_lists
        union all
        select * from report_text_lists
    ) as addressee_lists

),

segment_lists as (

    select
        report_url,
        regexp_split_to_array(sent_to_raw_text, '\s*(?:\||;|\n|\r|•)\s*') as segments
    from reports

),

segments as (

    select
        report_url,
        unnest(segments) as segment,
        generate_subscripts(segments, 1) as segment_index
    from segment_lists

),

comma_lists as (

    select
        report_url,
        segment_index,
        string_split(segment, ',') as parts
    from segments
    where {{ clean_text('segment') }} is not null

),

comma_parts as (

    select
        report_url,
        segment_index,
        {{ clean_text('unnest(parts)') }} as part,
        generate_subscripts(parts, 1) as part_index
    from comma_lists

),

comma_flagged as (

    select
        *,
        regexp_matches(lower(part), {{ recipient_title_pattern() }}) as is_title_part,
        regexp_matches(lower(coalesce(lag(part) over part_order, '')), {{ recipient_org_end_pattern() }})
        or regexp_matches(coalesce(lag(part) over part_order, ''), '^[A-Z]{2,6}$')
            as previous_ends_like_organisation,
        regexp_matches(lower(part), {{ recipient_org_word_pattern() }})
        or regexp_matches(part, '^[A-Z][A-Z&]{1,6}$')
            as names_organisation,
        regexp_matches(lower(coalesce(lag(part) over part_order, '')), {{ recipient_title_pattern() }})
            as previous_is_title,
        lead(part) over part_order is not null as has_next_part
    from comma_parts
    where part is not null
    window part_order as (partition by report_url, segment_index order by part_index)

),

comma_grouped as (

    select
        *,
        sum(case
            when part_index = 1 then 1
            when previous_is_title then 1
            when is_title_part and has_next_part then 1
            when previous_ends_like_organisation and names_organisation then 1
            else 0
        end) over (partition by report_url, segment_index order by part_index) as comma_group
    from comma_flagged

),

comma_pieces as (

    select
        report_url,
        segment_index,
        comma_group,
        string_agg(part, ', ' order by part_index) as piece,
        bool_and(is_title_part) and count(*) = 1 as is_title_only
    from comma_grouped
    group by all

),

comma_pieces_titled as (

    select
        *,
        case when lag(is_title_only) over piece_order then lag(piece) over piece_order end as job_title
    from comma_pieces
    window piece_order as (partition by report_url, segment_index order by comma_group)

),

and_lists as (

    select
        report_url,
        segment_index,
        comma_group,
        job_title,
        -- mark "&" so the piece can be rebuilt verbatim after splitting on both joiners
        regexp_split_to_array(regexp_replace(piece, '\s+&\s+', ' and ' || chr(1), 'g'), '\s+and\s+')
            as parts
    from comma_pieces_titled
    -- a title followed by an organisation was folded into job_title of the next piece;
    -- a title standing alone (the whole segment) is kept as a piece so nothing vanishes
    where
        not is_title_only
        or not exists (
            select 1 from comma_pieces as later
            where
                later.report_url = comma_pieces_titled.report_url
                and later.segment_index = comma_pieces_titled.segment_index
                and later.comma_group > comma_pieces_titled.comma_group
        )

),

and_parts as (

    select
        report_url,
        segment_index,
        comma_group,
        job_title,
        {{ clean_text("ltrim(unnest(parts), chr(1))") }} as part,
        case when starts_with(unnest(parts), chr(1)) then ' & ' else ' and ' end as joiner,
        generate_subscripts(parts, 1) as part_index
    from and_lists

),

and_flagged as (

    select
        *,
        regexp_matches(lower(coalesce(lag(part) over part_order, '')), {{ recipient_org_end_pattern() }})
        -- "HMP and YOI Doncaster" is one establishment
        and lower(coalesce(lag(part) over part_order, '')) not in ('hmp', 'hm prison', 'yoi')
        -- "NHS England and NHS Improvement" was one merged body from 2019 to 2022
        and not (
            lower(coalesce(lag(part) over part_order, '')) = 'nhs england'
            and lower(part) like 'nhs improvement%')
            as previous_ends_like_organisation,
        regexp_matches(lower(part), {{ recipient_org_word_pattern() }})
        or regexp_matches(part, '^[A-Z][A-Z&]{1,6}$') as names_organisation
    from and_parts
    window part_order as (partition by report_url, segment_index, comma_group order by part_index)

),

and_grouped as (

    select
        *,
        part_index = 1 or (previous_ends_like_organisation and names_organisation) as starts_piece,
        sum(case
            when part_index = 1 then 1
            when previous_ends_like_organisation and names_organisation then 1
            else 0
        end) over (partition by report_url, segment_index, comma_group order by part_index) as and_group
    from and_flagged

),

pieces as (

    select
        report_url,
        segment_index,
        comma_group,
        and_group,
        arg_min(job_title, part_index) filter (where job_title is not null) as job_title,
        string_agg(case when starts_piece then '' else joiner end || part, '' order by part_index)
            as recipient_raw
    from and_grouped
    where part is not null
    group by all

),

cleaned as (

    select
        report_url,
        row_number() over (
            partition by report_url order by segment_index, comma_group, and_group
        ) as recipient_position,
        recipient_raw,
        job_title,
        {{ clean_text("""
            regexp_replace(regexp_replace(regexp_replace(regexp_replace(recipient_raw,
                '(?i),\\s*(\\d+[a-z]?\\s|p\\.?o\\.? box|[a-z]{1,2}\\d{1,2}[a-z]?\\s*\\d[a-z]{2}).*$', ''),
                '(?i)^(the )?((acting|interim) )?(chief executive( officer)?|ceo|chair(man)?|medical director|director|manager|clerk|head)\\s+(of|at|for)\\s+', ''),
                '^[\\s\\-–:\\.\\*''\"]+|[\\s\\-–:\\.,\\*''\"]+$', '', 'g'),
                '^(?i)(and|the)\\s+$', '')
        """) }} as recipient_name
    from pieces

),

final as (

    select
        cleaned.report_url || '#' || cast(cleaned.recipient_position as varchar) as report_recipient_id,
        cleaned.report_url,
        reports.recipient_source,
        cleaned.recipient_position,
        recipient_raw,
        recipient_name,
        job_title,
        case
            when recipient_name is null then 'empty'
            when regexp_matches(lower(recipient_name), '^\[?\s*redacted\s*\]?$|^redacted\b') then 'redacted'
            when
                regexp_matches(
                    lower(recipient_name), 'various recipients|see (the )?report|see attached|as listed|see below'
                )
                then 'placeholder'
            when
                regexp_matches(lower(recipient_name), '^(mr|mrs|ms|miss|dr|prof|professor|sir|dame)\.? [a-z]')
                and not regexp_matches(lower(recipient_name), {{ recipient_org_word_pattern() }})
                then 'person'
            when
                regexp_matches(
                    lower(recipient_name),
                    '\b(family|mother|father|parents|widow|widower|husband|wife|son|daughter|'
                    || 'sister|brother|partner) of\b'
                    || '|^(the )?(family|bereaved family|next of kin|parents)\b'
                )
                then 'person'
            else 'named'
        end as recipient_kind
    from cleaned
    inner join reports on cleaned.report_url = reports.report_url

)

select * from final
