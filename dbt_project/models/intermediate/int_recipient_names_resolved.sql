-- Every distinct recipient name (a named piece of a report's addressee list) with each listed
-- organisation it may resolve to: the rule, how trusted it is, and the dates a dated name is
-- valid between. The work is done once per distinct name (the same names recur across
-- thousands of reports); int_recipients_resolved joins these candidates back to the pieces,
-- keeps those valid at the report date and picks the most trusted.
--
-- Each name is tried in several forms, most trusted first:
--   as written (exact name or alias 0.99/0.98; without a leading "NHS" 0.95);
--   as an ICB when written as an integrated care system ("... Integrated Care System") 0.9;
--   with misspelt words corrected to the one listed word a single edit away (0.88);
--   without leading/trailing job titles and department words ("Chief Executive X", "X Legal") 0.85;
--   NHS-looking names also by their loose key (no NHS/Foundation/Trust/Hospital words), a little
--   less trusted than the form it came from.
-- A name that no form resolves may be several recipients joined by "and" or commas that the
-- splitter kept whole ("Ministry of Justice and Birmingham and Solihull Mental Health Trust"):
-- every contiguous run of its parts is tried, and each longest run that resolves yields an
-- organisation (0.8). Last, listed names of three or more words contained whole (0.8).
-- A name whose words, in any order and without "NHS", "Foundation", "Trust" and joining words
-- (org_word_set, two words or more), are those of exactly one listed organisation (not a company
-- or care provider, whose word order is part of the name) resolves to it (0.9: "Brighton Sussex
-- University Hospitals NHS Trust", "Cardiff and the Vale University Health Board").
-- A name written as an NHS trust (with "NHS", "Trust", "Foundation" or "Ambulance") that holds
-- one organisation only is also tried by its core words (org_core_words: word order and filler
-- words set aside, "Avon and Wiltshire NHS Mental Health Trust" = "Avon and Wiltshire Mental
-- Health Partnership NHS Trust"): it resolves when exactly one listed trust has all its words
-- and is of the kind the name says (an ambulance service only to an ambulance trust and back; a
-- "mental health" or "partnership" name to a mental health or community trust; a hospital to an
-- acute trust): 0.8 when the trust's core words are exactly the name's, 0.75 when the name has
-- two or more words and the trust's core words hold them and more. A hospital name must match a
-- trust's words exactly (a hospital's name is often a site of another trust: "Queen Elizabeth
-- Hospital" is not the King's Lynn trust). Both rules also try the name with misspelt words
-- corrected (see spelling_corrected).

with

recipients as (

    select * from {{ ref('stg_judiciary_pfd__recipients') }}

),

names as (

    select * from {{ ref('int_organisation_names_unioned') }}

),

organisations as (

    select * from {{ ref('int_organisations_unioned') }}

),

piece_names as (

    select distinct recipient_name
    from recipients
    where recipient_kind = 'named' and recipient_name is not null

),

keyed as (

    select
        recipient_name,
        {{ org_name_key('recipient_name') }} as name_key,
        {{ org_name_key('recipient_name', strip_brackets=false) }} as name_key_with_brackets,
        regexp_matches(lower(recipient_name), {{ nhs_body_pattern() }}) as looks_like_nhs_body,
        regexp_matches(lower(recipient_name), '\bambulance\b') as says_ambulance,
        regexp_matches(lower(recipient_name), '\b(mental|partnership)\b') as says_mental_health,
        regexp_matches(lower(recipient_name), '\b(nhs|trusts?|foundation|ambulance)\b')
            as is_written_as_trust,
        regexp_matches(lower(recipient_name), '\b(hospital|hospitals|infirmary)\b') as says_hospital
    from piece_names

),

-- misspelt words: a word of five or more letters that no listed name uses, one edit (insertion,
-- deletion, substitution or swap) from exactly one listed word of five or more letters with the
-- same first letter. Words written in capitals are acronyms, not misspellings ("NSPCC" is not
-- "NPCC", "LTHTR" is not "LTHT").
vocabulary as (

    select distinct unnest(string_split(name_key, ' ')) as token
    from names

),

name_tokens as (

    select
        recipient_name,
        unnest(string_split(name_key, ' ')) as token,
        generate_subscripts(string_split(name_key, ' '), 1) as token_position
    from keyed
    where name_key is not null

),

name_tokens_cased as (

    select
        *,
        regexp_matches(recipient_name, '\b' || upper(token) || '\b') as is_written_in_capitals
    from name_tokens

),

unknown_tokens as (

    select distinct token
    from name_tokens_cased
    where
        length(token) >= 5
        and not is_written_in_capitals
        and not regexp_matches(token, '\d')
        and token not in (select token from vocabulary)

),

spelling_corrections as (

    select
        unknown_tokens.token,
        min(vocabulary.token) as corrected_token
    from unknown_tokens
    inner join vocabulary
        on
            left(unknown_tokens.token, 1) = left(vocabulary.token, 1)
            and length(vocabulary.token) >= 5
            and abs(length(unknown_tokens.token) - length(vocabulary.token)) <= 1
            and damerau_levenshtein(unknown_tokens.token, vocabulary.token) = 1
    group by unknown_tokens.token
    having count(*) = 1

),

spelling_corrected as (

    select
        name_tokens.recipient_name,
        string_agg(
            coalesce(spelling_corrections.corrected_token, name_tokens.token), ' '
            order by name_tokens.token_position
        ) as form_key
    from name_tokens
    left join spelling_corrections on name_tokens.token = spelling_corrections.token
    group by name_tokens.recipient_name
    having count(spelling_corrections.corrected_token) > 0

),

-- job titles and department words around the organisation's name
trimmed_candidates as (

    select
        recipient_name,
        string_split(name_key, ' ') as tokens,
        unnest(range(0, len(string_split(name_key, ' ')))) as leading_dropped
    from keyed
    where name_key is not null

),

trimmed_pairs as (

    select
        recipient_name,
        tokens,
        leading_dropped,
        unnest(range(0, len(tokens) - leading_dropped)) as trailing_dropped
    from trimmed_candidates

),

function_word_trimmed as (

    select
        recipient_name,
        array_to_string(tokens[leading_dropped + 1:len(tokens) - trailing_dropped], ' ') as form_key
    from trimmed_pairs
    where
        leading_dropped + trailing_dropped > 0
        and len(list_filter(
            tokens[1:leading_dropped],
            lambda t: not list_contains({{ function_words() }}, t)
        )) = 0
        and len(list_filter(
            tokens[len(tokens) - trailing_dropped + 1:len(tokens)],
            lambda t: not list_contains({{ function_words() }}, t)
        )) = 0

),

forms as (

    select
        recipient_name,
        name_key as form_key,
        'as_written' as form_kind,
        -- the name as written, brackets included, beats the name without its bracketed part
        case when name_key = name_key_with_brackets then 0.99 else 0.98 end as form_confidence
    from keyed

    union all

    select
        recipient_name,
        name_key_with_brackets,
        'as_written_with_brackets',
        0.99
    from keyed
    where name_key_with_brackets <> name_key

    union all

    select
        recipient_name,
        regexp_replace(name_key, '^nhs ', ''),
        'without_nhs',
        0.95
    from keyed
    where name_key like 'nhs %'

    union all

    select
        recipient_name,
        regexp_replace(
            name_key,
            '\b(integrated care( system| service| partnership)?|ics)$', 'integrated care board'
        ),
        'integrated_care_system_as_board',
        0.9
    from keyed
    where regexp_matches(name_key, '\b(integrated care( system| service| partnership)?|ics)$')

    union all

    -- "Department of Environment, Food and Rural Affairs", "Office of National Statistics"
    select
        recipient_name,
        regexp_replace(
            name_key, '^(department|office|ministry) (of|for) ',
            '\1 ' || case when regexp_matches(name_key, '^\w+ of ') then 'for' else 'of' end || ' '
        ),
        'preposition_swapped',
        0.88
    from keyed
    where regexp_matches(name_key, '^(department|office|ministry) (of|for) ')

    union all

    -- "Phoenix Partnership Ltd." for "The Phoenix Partnership"
    select
        recipient_name,
        regexp_replace(name_key, ' (ltd|limited|plc|llp|inc)$', ''),
        'without_company_suffix',
        0.9
    from keyed
    where regexp_matches(name_key, '. (ltd|limited|plc|llp|inc)$')

    union all

    -- "CNWL NHS Trust": a listed acronym with NHS words after it (matched to acronyms only)
    select
        recipient_name,
        lower(regexp_extract(recipient_name, '^\s*([A-Z]{3,8})\b', 1)),
        'acronym_with_nhs_words',
        0.85
    from keyed
    where
        regexp_matches(recipient_name, '^\s*[A-Z]{3,8}\s+(NHS|[Tt]rust|[Ff]oundation)')
        and regexp_matches(name_key, '^[a-z]+( nhs)?( foundation)?( trust)?$')

    union all

    -- "Derriford Hospital Trust": a hospital site with trust words (matched to sites only)
    select
        recipient_name,
        regexp_extract(name_key, '^(.+ (hospital|infirmary))( nhs)?( foundation)?( trust)$', 1),
        'site_with_trust_words',
        0.85
    from keyed
    where regexp_matches(name_key, '^(.+ (hospital|infirmary))( nhs)?( foundation)?( trust)$')

    union all

    select
        recipient_name,
        form_key,
        'spelling_corrected',
        0.88
    from spelling_corrected

    union all

    select
        recipient_name,
        form_key,
        'function_words_trimmed',
        0.85
    from function_word_trimmed

),

forms_keyed as (

    select
        forms.*,
        keyed.looks_like_nhs_body,
        {{ org_loose_key('forms.form_key') }} as form_loose_key
    from forms
    inner join keyed using (recipient_name)
    where forms.form_key is not null

),

form_matches as (

    select
        forms_keyed.recipient_name,
        names.organisation_key,
        names.valid_from,
        names.valid_to,
        case
            when forms_keyed.form_kind like 'as_written%' and names.name_source = 'alias' then 'alias'
            when forms_keyed.form_kind like 'as_written%' and names.name_source like 'variant_%'
                then 'name_variant'
            when forms_keyed.form_kind like 'as_written%' then 'exact_name'
            when forms_keyed.form_kind = 'without_nhs' then 'exact_name_without_nhs'
            else forms_keyed.form_kind
        end as resolution_method,
        forms_keyed.form_confidence as resolution_confidence
    from forms_keyed
    inner join names on forms_keyed.form_key = names.name_key
    -- a lone word left after trimming resolves only as a listed acronym ("YAS", not "Met")
    where (
        forms_keyed.form_kind <> 'function_words_trimmed'
        or forms_keyed.form_key like '% %'
        or regexp_matches(names.name, '^[A-Z]{3,8}$')
    )
    and (
        forms_keyed.form_kind <> 'acronym_with_nhs_words'
        or regexp_matches(names.name, '^[A-Z]{3,8}$')
    )
    and (
        forms_keyed.form_kind <> 'site_with_trust_words'
        or names.name_source = 'variant_hospital_site'
    )

    union all

    select
        forms_keyed.recipient_name,
        names.organisation_key,
        names.valid_from,
        names.valid_to,
        case
            when forms_keyed.form_kind like 'as_written%' then 'loose_nhs_name'
            else forms_keyed.form_kind || '_loose'
        end,
        forms_keyed.form_confidence - 0.09
    from forms_keyed
    inner join names on forms_keyed.form_loose_key = names.loose_key
    where
        forms_keyed.looks_like_nhs_body
        and length(forms_keyed.form_loose_key) >= 5
        and forms_keyed.form_kind not in ('acronym_with_nhs_words', 'site_with_trust_words')
        -- what is left after trimming titles must still say more than one word
        and (
            forms_keyed.form_kind <> 'function_words_trimmed'
            or forms_keyed.form_loose_key like '% %'
        )

),

-- pieces the splitter kept whole: contiguous runs of parts between "and", "&" and commas, tried
-- for every name that is not resolved as written (a trimmed or corrected form may have thrown
-- away a whole organisation: "Department for Transport and Driver and Vehicle Licensing Agency")
strongly_resolved_names as (

    select distinct recipient_name
    from form_matches
    where resolution_confidence >= 0.9

),

unresolved_names as (

    select recipient_name
    from keyed
    where
        recipient_name not in (select recipient_name from strongly_resolved_names)
        and regexp_matches(recipient_name, '(?i),|;|:|\s(and|&|–)\s')

),

part_lists as (

    select
        recipient_name,
        -- each joiner is kept at the start of the part it introduces, marked by chr(1)
        string_split(regexp_replace(
            recipient_name,
            '(\s*[,;:]\s*|\s+(?:and|AND|And|&|–)\s+)', chr(1) || '\1', 'g'
        ), chr(1
        )) as parts
    from unresolved_names

),

runs as (

    select
        recipient_name,
        parts,
        unnest(range(1, len(parts) + 1)) as first_part
    from part_lists
    where len(parts) between 2 and 24

),

run_spans as (

    select
        recipient_name,
        parts,
        first_part,
        unnest(range(first_part, len(parts) + 1)) as last_part
    from runs

),

run_texts as (

    select
        recipient_name,
        first_part,
        last_part,
        -- drop the joiner that introduced the run's first part
        regexp_replace(
            array_to_string(parts[first_part:last_part], ''),
            '^(\s*[,;:]\s*|\s+(?:and|AND|And|&|–)\s+)', ''
        ) as run_text
    from run_spans
    where not (first_part = 1 and last_part = len(parts))

),

run_keyed as (

    select
        *,
        {{ org_name_key('run_text') }} as run_key,
        {{ org_loose_key('run_text') }} as run_loose_key,
        regexp_matches(lower(run_text), {{ nhs_body_pattern() }}) as looks_like_nhs_body
    from run_texts

),

run_forms as (

    select
        recipient_name,
        first_part,
        last_part,
        run_key as form_key
    from run_keyed

    union all

    select
        recipient_name,
        first_part,
        last_part,
        regexp_replace(run_key, '^nhs ', '')
    from run_keyed
    where run_key like 'nhs %'

    union all

    select
        recipient_name,
        first_part,
        last_part,
        regexp_replace(
            run_key,
            '\b(integrated care( system| service| partnership)?|ics)$', 'integrated care board'
        )
    from run_keyed
    where regexp_matches(run_key, '\b(integrated care( system| service| partnership)?|ics)$')

    union all

    -- "Department for Transport, National Highways Limited"
    select
        recipient_name,
        first_part,
        last_part,
        regexp_replace(run_key, ' (ltd|limited|plc|llp|inc)$', '')
    from run_keyed
    where regexp_matches(run_key, '. (ltd|limited|plc|llp|inc)$')

),

run_matches as (

    select
        run_forms.recipient_name,
        run_forms.first_part,
        run_forms.last_part,
        names.organisation_key,
        names.valid_from,
        names.valid_to
    from run_forms
    inner join names on run_forms.form_key = names.name_key

    union all

    select
        run_keyed.recipient_name,
        run_keyed.first_part,
        run_keyed.last_part,
        names.organisation_key,
        names.valid_from,
        names.valid_to
    from run_keyed
    inner join names on run_keyed.run_loose_key = names.loose_key
    where run_keyed.looks_like_nhs_body
    -- a single loose word ("Sussex") is too little to go on inside a longer text
    and run_keyed.run_loose_key like '% %'

),

longest_run_matches as (

    -- "Barnsley Hospital NHS Foundation Trust and Barnsley Council": keep the longest runs only
    select *
    from run_matches as inner_run
    where not exists (
        select 1
        from run_matches as outer_run
        where
            outer_run.recipient_name = inner_run.recipient_name
            and outer_run.first_part <= inner_run.first_part
            and outer_run.last_part >= inner_run.last_part
            and outer_run.last_part - outer_run.first_part > inner_run.last_part - inner_run.first_part
    )

),

split_matches as (

    select distinct
        recipient_name,
        organisation_key,
        valid_from,
        valid_to,
        'split_name' as resolution_method,
        0.8 as resolution_confidence
    from longest_run_matches

),

contained_candidates as (

    select
        keyed.recipient_name,
        names.organisation_key,
        names.name_key_tokens,
        names.valid_from,
        names.valid_to
    from keyed
    inner join names
        on
            names.name_key_tokens >= 3
            and contains(' ' || keyed.name_key || ' ', ' ' || names.name_key || ' ')
    where keyed.recipient_name not in (select recipient_name from strongly_resolved_names)

),

outermost_contained as (

    -- "HM Prison and Probation Service" contains "Probation Service": keep the outer name only
    select candidates.*
    from contained_candidates as candidates
    where not exists (
        select 1
        from contained_candidates as outer_candidates
        inner join names as outer_names
            on
                outer_candidates.organisation_key = outer_names.organisation_key
                and outer_candidates.name_key_tokens = outer_names.name_key_tokens
        inner join names as inner_names
            on
                candidates.organisation_key = inner_names.organisation_key
                and candidates.name_key_tokens = inner_names.name_key_tokens
        where
            outer_candidates.recipient_name = candidates.recipient_name
            and outer_candidates.organisation_key <> candidates.organisation_key
            and outer_candidates.name_key_tokens > candidates.name_key_tokens
            and contains(' ' || outer_names.name_key || ' ', ' ' || inner_names.name_key || ' ')
    )

),

distinctive_matches as (

    -- "Betsi Cadwaladr University NHS Trust": a distinctive name (variants seed) inside a piece
    -- that names a health body
    select distinct
        keyed.recipient_name,
        names.organisation_key,
        names.valid_from,
        names.valid_to,
        'distinctive_name' as resolution_method,
        0.85 as resolution_confidence
    from keyed
    inner join names
        on
            names.name_source = 'variant_distinctive_name'
            and contains(' ' || keyed.name_key || ' ', ' ' || names.name_key || ' ')
    where regexp_matches(keyed.name_key, '\b(health|board|nhs|trust|hospital|university|local)\b')

),

contained_matches as (

    -- a piece that holds several listed names of three or more words ("Care Commissioning Group
    -- for Birmingham and Solihull, Care Quality Commission and Health and Safety Executive"),
    -- which the splitter could not separate, yields one row per organisation
    select distinct
        recipient_name,
        organisation_key,
        valid_from,
        valid_to,
        'contained_name' as resolution_method,
        0.8 as resolution_confidence
    from outermost_contained

),

-- names by their word set, and NHS-looking ones by their core words (see the header), as written
-- and with misspelt words corrected; a piece holding several organisations is left to the split
-- and contained rules
word_form_keys as (

    select
        recipient_name,
        name_key as form_key,
        false as is_spelling_corrected
    from keyed
    union all
    select
        recipient_name,
        form_key,
        true
    from spelling_corrected

),

word_forms_folded as (

    select
        keyed.recipient_name,
        keyed.looks_like_nhs_body,
        keyed.is_written_as_trust,
        keyed.says_ambulance,
        keyed.says_mental_health,
        keyed.says_hospital,
        word_form_keys.is_spelling_corrected,
        {{ org_folded_words('word_form_keys.form_key') }} as folded_words
    from keyed
    inner join word_form_keys on keyed.recipient_name = word_form_keys.recipient_name
    where
        keyed.recipient_name not in (select split_matches.recipient_name from split_matches)
        and keyed.recipient_name not in (
            select contained_matches.recipient_name from contained_matches
        )

),

word_forms as (

    select
        * exclude (folded_words),
        {{ org_word_set('folded_words') }} as word_set,
        {{ org_core_words('folded_words') }} as core_words
    from word_forms_folded

),

word_set_matches as (

    select
        word_forms.recipient_name,
        min(names.organisation_key) as organisation_key,
        null::date as valid_from,
        null::date as valid_to,
        'word_set' as resolution_method,
        -- a little less sure of a name whose words had to be corrected
        max(case when word_forms.is_spelling_corrected then 0.87 else 0.9 end)
            as resolution_confidence
    from word_forms
    inner join names on word_forms.word_set = names.word_set
    inner join organisations on names.organisation_key = organisations.organisation_key
    where
        len(word_forms.word_set) >= 2
        -- a firm's name is a brand, its word order part of it ("Outlook Care" is not "Care
        -- Outlook")
        and organisations.organisation_type not in ('private_company', 'care_provider')
    group by word_forms.recipient_name
    having count(distinct names.organisation_key) = 1

),

core_candidates as (

    select
        word_forms.recipient_name,
        len(word_forms.core_words) as name_core_size,
        word_forms.says_hospital,
        names.organisation_key,
        names.core_words = word_forms.core_words as is_same_words
    from word_forms
    inner join names
        on
            len(names.core_words) > 0
            and list_has_all(names.core_words, word_forms.core_words)
    inner join organisations on names.organisation_key = organisations.organisation_key
    where
        word_forms.looks_like_nhs_body
        and word_forms.is_written_as_trust
        and len(word_forms.core_words) > 0
        and (organisations.organisation_type = 'nhs_ambulance_trust') = word_forms.says_ambulance
        and (
            not word_forms.says_mental_health
            or organisations.organisation_type in ('nhs_mental_health_trust', 'nhs_community_trust')
        )
        and (not word_forms.says_hospital or organisations.organisation_type = 'nhs_acute_trust')

),

core_matches as (

    select
        recipient_name,
        min(organisation_key) as organisation_key,
        null::date as valid_from,
        null::date as valid_to,
        case when bool_or(is_same_words) then 'core_words' else 'core_words_subset' end
            as resolution_method,
        case when bool_or(is_same_words) then 0.8 else 0.75 end as resolution_confidence
    from core_candidates
    group by recipient_name
    having
        count(distinct organisation_key) = 1
        and (bool_or(is_same_words) or (min(name_core_size) >= 2 and not bool_or(says_hospital)))

),

final as (

    select * from form_matches
    union all
    select * from split_matches
    union all
    select * from contained_matches
    union all
    select * from distinctive_matches
    union all
    select * from word_set_matches
    union all
    select * from core_matches

)

select * from final
