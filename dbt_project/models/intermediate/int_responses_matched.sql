-- Each response document matched to the recipient of its report that it answers, from the
-- organisation named in the file name ("2021-0123-Response-from-NHS-England.pdf"). Rules, most
-- trusted first (match_rule; match_method keeps the coarser vocabulary of fct_responses):
--   exact_name (exact, 0.95): the file's organisation text has the same normalised key as one of
--     the names a recipient is known by;
--   listed_name (exact, 0.95): the text resolves (as written, without a leading "NHS", or by the
--     loose NHS key) to the recipient's listed organisation;
--   current_body (exact, 0.9): the organisation the text resolves to and the recipient's are the
--     same body today (a successor, predecessor or renamed body: "Highways England" answers a
--     report sent to "National Highways", University Hospitals Birmingham one sent to Heart of
--     England);
--   prefix (prefix, 0.85): file names are often truncated ("...-Association-of-Ambulance-"); the
--     file text is a prefix of one recipient's name, of at least two words;
--   near_exact_name (exact, 0.85): the same words but one, which differs by a slip of one letter
--     (two in a word of eight or more; both words of five letters or more: "Highways Englands",
--     "Natwork Rail", "Wilshire Council"; never "East"/"West");
--   name_within (prefix, 0.8): a recipient's whole name, with a distinctive word or three words,
--     stands inside the file text ("Cornwall Council Care and Wellbeing", "letter from Highways
--     England");
--   initials (exact, 0.75): the file text is one word spelling the initials of a recipient's
--     name ("BMC" for the British Mountaineering Council, "NSC"), or the other way round;
--   token_overlap (0.7): at least 60% of the file text's words occur in exactly one recipient;
--   distinctive_words (0.65): once the words that only say what kind of body it is are set aside
--     ("Pennine Care" -> "pennine"), the file's words are all among one recipient's names'
--     words, the two are not of different kinds (a constabulary never answers for a council),
--     and no other recipient qualifies;
--   parent_body (0.6): a response from HM Prison and Probation Service answers for the one prison
--     named among the recipients;
--   sole_recipient (0.6): the file names no organisation and the report has exactly one recipient
--     organisation.
-- Each rule must single out one recipient organisation of the report. Anything else stays
-- unmatched: a wrong match would mark the wrong organisation as responded.

with

documents as (

    select * from {{ ref('stg_judiciary_pfd__documents') }}
    where document_kind = 'response'

),

recipients as (

    select * from {{ ref('int_recipients_resolved') }}
    where organisation_key is not null

),

names as (

    select * from {{ ref('int_organisation_names_unioned') }}

),

organisations as (

    select * from {{ ref('int_organisations_unioned') }}

),

responses as (

    select
        -- the same document can be linked from two report pages: match per (report, document)
        report_url || ' ' || document_url as response_id,
        report_url,
        document_url,
        file_name,
        upload_year,
        upload_month,
        upload_month_start,
        response_organisation_text,
        {{ org_name_key('response_organisation_text') }} as response_name_key,
        {{ org_loose_key('response_organisation_text') }} as response_loose_key,
        regexp_matches(lower(coalesce(response_organisation_text, '')), {{ nhs_body_pattern() }})
            as looks_like_nhs_body,
        {{ organisation_class(organisation_type_by_rule('response_organisation_text')) }}
            as rule_class
    from documents

),

response_listed as (

    select
        responses.response_id,
        names.organisation_key as response_organisation_key
    from responses
    inner join names on responses.response_name_key = names.name_key

    union all

    select
        responses.response_id,
        names.organisation_key
    from responses
    inner join names on regexp_replace(responses.response_name_key, '^nhs ', '') = names.name_key
    where responses.response_name_key like 'nhs %'

    union all

    select
        responses.response_id,
        names.organisation_key
    from responses
    inner join names on responses.response_loose_key = names.loose_key
    where responses.looks_like_nhs_body and length(responses.response_loose_key) >= 5

),

response_listed_unique as (

    select
        response_listed.response_id,
        min(response_listed.response_organisation_key) as response_organisation_key,
        min(organisations.current_organisation_key) as response_current_key
    from response_listed
    left join organisations
        on response_listed.response_organisation_key = organisations.organisation_key
    group by response_listed.response_id
    having count(distinct response_listed.response_organisation_key) = 1

),

response_classes as (

    -- the kind of body the file names: its listed organisation's, else what its words say
    select
        responses.response_id,
        coalesce(
            {{ organisation_class('organisations.organisation_type') }},
            responses.rule_class,
            case when responses.looks_like_nhs_body then 'nhs_trust' end
        ) as response_class
    from responses
    left join response_listed_unique using (response_id)
    left join organisations
        on response_listed_unique.response_organisation_key = organisations.organisation_key

),

recipient_keys as (

    select
        recipients.report_url,
        recipients.organisation_key,
        recipients.organisation_type,
        recipients.current_organisation_key,
        -- a piece read as several organisations is no name of any one of them
        case
            when coalesce(recipients.resolution_method, '') not in ('split_name', 'contained_name')
                then recipients.recipient_name_key
        end as recipient_name_key,
        {{ org_name_key('organisations.canonical_name') }} as canonical_name_key
    from recipients
    left join organisations on recipients.organisation_key = organisations.organisation_key

),

recipient_name_variants as (

    -- every name a recipient organisation is known by: as written, canonical, and its aliases
    select
        report_url,
        organisation_key,
        recipient_name_key as name_key
    from recipient_keys
    where recipient_name_key is not null
    union
    select
        report_url,
        organisation_key,
        canonical_name_key
    from recipient_keys
    where canonical_name_key is not null
    union
    select
        recipient_keys.report_url,
        recipient_keys.organisation_key,
        names.name_key
    from recipient_keys
    inner join names on recipient_keys.organisation_key = names.organisation_key

),

candidates as (

    select
        responses.response_id,
        variants.organisation_key,
        case
            when responses.response_name_key = variants.name_key then 'exact_name'
            when response_listed_unique.response_organisation_key = variants.organisation_key
                then 'listed_name'
            when
                starts_with(variants.name_key, responses.response_name_key)
                and responses.response_name_key like '% %' then 'prefix'
            when {{ is_near_exact_name('responses.response_name_key', 'variants.name_key') }}
                then 'near_exact_name'
            when
                contains(' ' || responses.response_name_key || ' ', ' ' || variants.name_key || ' ')
                and variants.name_key like '% %'
                and (
                    variants.name_key like '% % %'
                    or len(list_filter(
                        string_split(variants.name_key, ' '),
                        lambda t: not list_contains({{ generic_organisation_words() }}, t)
                    )) > 0
                )
                then 'name_within'
            when
                {{ name_initials('variants.name_key') }} = responses.response_name_key
                and length(responses.response_name_key) >= 3
                or {{ name_initials('responses.response_name_key') }} = variants.name_key
                and length(variants.name_key) >= 3
                then 'initials'
            when
                len(list_intersect(
                    string_split(responses.response_name_key, ' '),
                    string_split(variants.name_key, ' ')
                ))
                >= 0.6 * len(list_distinct(string_split(responses.response_name_key, ' ')))
                and len(list_distinct(string_split(responses.response_name_key, ' '))) >= 2
                then 'token_overlap'
        end as match_rule
    from responses
    inner join recipient_name_variants as variants on responses.report_url = variants.report_url
    left join response_listed_unique on responses.response_id = response_listed_unique.response_id
    where responses.response_name_key is not null

    union all

    -- the body the file names and a recipient are the same organisation today
    select
        responses.response_id,
        recipient_keys.organisation_key,
        'current_body'
    from responses
    inner join response_listed_unique on responses.response_id = response_listed_unique.response_id
    inner join recipient_keys
        on
            responses.report_url = recipient_keys.report_url
            and response_listed_unique.response_current_key = recipient_keys.current_organisation_key

),

ranked as (

    select
        response_id,
        match_rule,
        count(distinct organisation_key) as candidate_organisations,
        min(organisation_key) as organisation_key
    from candidates
    where match_rule is not null
    group by response_id, match_rule

),

best_by_name as (

    select *
    from ranked
    where candidate_organisations = 1
    qualify row_number() over (
        partition by response_id
        order by
            case match_rule
                when 'exact_name' then 1
                when 'listed_name' then 2
                when 'current_body' then 3
                when 'prefix' then 4
                when 'near_exact_name' then 5
                when 'name_within' then 6
                when 'initials' then 7
                else 8
            end
    ) = 1

),

distinctive_words as (

    select
        responses.response_id,
        responses.report_url,
        list_distinct(list_filter(
            string_split(responses.response_name_key, ' '),
            lambda t: length(t) >= 3 and not list_contains({{ generic_organisation_words() }}, t)
        ))
            as words
    from responses
    where responses.response_id not in (select response_id from best_by_name)

),

recipient_distinctive_words as (

    select
        variants.report_url,
        variants.organisation_key,
        {{ organisation_class('recipient_types.organisation_type') }} as recipient_class,
        list_distinct(list_filter(
            string_split(variants.name_key, ' '),
            lambda t: length(t) >= 3 and not list_contains({{ generic_organisation_words() }}, t)
        ))
            as words
    from recipient_name_variants as variants
    inner join (
        select
            report_url,
            organisation_key,
            min(organisation_type) as organisation_type
        from recipient_keys
        group by report_url, organisation_key
    ) as recipient_types using (report_url, organisation_key)

),

distinctive_candidates as (

    select
        distinctive_words.response_id,
        min(recipient_distinctive_words.organisation_key) as organisation_key,
        count(distinct recipient_distinctive_words.organisation_key) as candidate_organisations
    from distinctive_words
    inner join response_classes using (response_id)
    inner join recipient_distinctive_words
        on
            distinctive_words.report_url = recipient_distinctive_words.report_url
            and len(recipient_distinctive_words.words) > 0
            -- only this way round: "Transport Focus" holds "transport" but is not the DfT
            and list_has_all(recipient_distinctive_words.words, distinctive_words.words)
    where
        len(distinctive_words.words) > 0
        and len(list_filter(distinctive_words.words, lambda t: length(t) >= 4)) > 0
        and (
            response_classes.response_class is null
            or recipient_distinctive_words.recipient_class is null
            or response_classes.response_class = recipient_distinctive_words.recipient_class
        )
    group by distinctive_words.response_id

),

prison_recipients as (

    select
        report_url,
        min(organisation_key) as organisation_key
    from recipient_keys
    where
        organisation_type = 'prison_probation'
        and organisation_key <> 'nb:hm-prison-and-probation-service'
    group by report_url
    having count(distinct organisation_key) = 1

),

parent_body_matches as (

    select
        responses.response_id,
        prison_recipients.organisation_key
    from responses
    inner join response_listed_unique using (response_id)
    inner join prison_recipients on responses.report_url = prison_recipients.report_url
    where response_listed_unique.response_organisation_key = 'nb:hm-prison-and-probation-service'
    -- HMPPS may itself be a recipient: then its own response answers for itself
    and responses.report_url not in (
        select report_url from recipient_keys
        where organisation_key = 'nb:hm-prison-and-probation-service'
    )

),

best as (

    select
        response_id,
        organisation_key,
        match_rule
    from best_by_name

    union all

    select
        response_id,
        organisation_key,
        'distinctive_words'
    from distinctive_candidates
    where
        candidate_organisations = 1
        and response_id not in (select response_id from best_by_name)

    union all

    select
        response_id,
        organisation_key,
        'parent_body'
    from parent_body_matches
    where
        response_id not in (select response_id from best_by_name)
        and response_id not in (
            select response_id from distinctive_candidates
            where candidate_organisations = 1
        )

),

sole_recipients as (

    select
        report_url,
        min(organisation_key) as organisation_key
    from recipients
    group by report_url
    having count(distinct organisation_key) = 1

),

ruled as (

    select
        responses.*,
        response_listed_unique.response_organisation_key as file_name_organisation_key,
        coalesce(
            best.organisation_key,
            case when responses.response_name_key is null then sole_recipients.organisation_key end
        ) as matched_organisation_key,
        case
            when best.organisation_key is not null then best.match_rule
            when responses.response_name_key is null and sole_recipients.organisation_key is not null
                then 'sole_recipient'
            else 'unmatched'
        end as match_rule
    from responses
    left join best on responses.response_id = best.response_id
    left join sole_recipients on responses.report_url = sole_recipients.report_url
    left join response_listed_unique on responses.response_id = response_listed_unique.response_id

),

final as (

    select
        report_url,
        document_url,
        file_name,
        response_organisation_text,
        upload_year,
        upload_month,
        upload_month_start,
        file_name_organisation_key,
        matched_organisation_key as organisation_key,
        case
            when match_rule in ('exact_name', 'listed_name', 'current_body', 'near_exact_name', 'initials')
                then 'exact'
            when match_rule = 'name_within' then 'prefix'
            else match_rule
        end as match_method,
        match_rule,
        case match_rule
            when 'exact_name' then 0.95
            when 'listed_name' then 0.95
            when 'current_body' then 0.9
            when 'prefix' then 0.85
            when 'near_exact_name' then 0.85
            when 'name_within' then 0.8
            when 'initials' then 0.75
            when 'token_overlap' then 0.7
            when 'distinctive_words' then 0.65
            when 'parent_body' then 0.6
            when 'sole_recipient' then 0.6
            else 0.0
        end as match_confidence
    from ruled

)

select * from final
