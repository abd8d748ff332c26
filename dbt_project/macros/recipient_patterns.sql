{#- Patterns used to split the free-text recipient list. A comma or an " and " separates two
    recipients only when the text before it ENDS like an organisation name and the text after it
    NAMES an organisation; so "Herefordshire and Worcestershire Health and Care NHS Trust",
    "Tees, Esk and Wear Valleys NHS Foundation Trust" and "Department for Business, Energy and
    Industrial Strategy" stay whole. All patterns are matched against lower-cased text. -#}

{% macro recipient_org_end_pattern() -%}
'\b(trust|trusts|council|police|constabulary|commission|agency|board|authority|department|ministry|office|service|services|limited|ltd|plc|llp|home|homes|hospital|hospitals|england|wales|icb|ccg|cqc|mhra|hse|nhse|dvsa|hmp|hmpps|yoi|group|college|university|society|association|institute|practice|surgery|centre|center|executive|executives|inspectorate|regulator|alliance|care|institution|network|company|corporation|charity|bureau|directorate|government|fund|partnership|federation|academy|school|council|forces|force|airways|railway|rail|highways|system|systems|gmc|nmc|hmcts|dwp|dhsc|ukhsa|ics|ltd\.)\.?\W*$'
{%- endmacro %}

{% macro recipient_org_word_pattern() -%}
'\b(trust|council|police|constabulary|commission|agency|board|authority|department|ministry|office|service|services|limited|ltd|plc|llp|home|hospital|nhs|england|icb|ccg|cqc|mhra|hse|dvsa|prison|hmp|hmpps|yoi|group|college|university|society|association|institute|practice|surgery|centre|secretary|minister|government|company|network|healthcare|inspectorate|partnership|federation|academy|school|alliance|directorate|executive|network|royal|national|british|gmc|nmc|hmcts|dwp|dhsc|ukhsa|coroner|registrar|regulator|highways|railway|rail|airways|care home|nursing|ambulance|fire|rescue|ltd\.)\b'
{%- endmacro %}

{% macro names_an_organisation(col) -%}
{#- A name of two or more words starting with a capital ("Fold Nightclub"), an acronym, or a name
    with an organisation word is taken as naming an (unlisted) organisation; a lone word
    ("Safeguarding", "London") is not. -#}
(
    regexp_matches(lower({{ col }}), {{ recipient_org_word_pattern() }})
    or regexp_matches({{ col }}, '^[A-Z][A-Za-z&''.-]*(\s+\S+)+$|^[A-Z]{2,8}$')
)
{%- endmacro %}

{% macro recipient_title_pattern() -%}
{#- A part that is only a job title or a personal name, written before the organisation:
    "The Chief Executive, East Midlands Ambulance Service NHS Trust". -#}
'^(the )?((acting|interim|deputy|joint) )?(chief executive( officer)?|ceo|chair|chairman|chairperson|chair of the board|medical director|managing director|director( of [a-z ,&]+)?|executive director|clinical director|general manager|registered manager|home manager|manager|head teacher|headteacher|principal|governor|clerk|president|chief constable|chief officer|chief inspector|chief medical officer|commissioner|owner|proprietor|group chief executive|company secretary)$|^(mr|mrs|ms|miss|dr|prof|professor|sir|dame|lord|lady|rt hon|the rt hon)\.? [a-z][a-z\.\- '']+$'
{%- endmacro %}

{% macro nhs_body_pattern() -%}
{#- A name that looks like an NHS body may also be matched by its loose key (macros/text_cleaning.sql). -#}
'\b(nhs|trust|hospital|hospitals|healthcare|ambulance|mental health|partnership|health services?)\b'
{%- endmacro %}

{% macro function_words() -%}
{#- Words of job titles and departments written around an organisation's name without a comma
    ("Chief Executive Oldham Borough Council", "Highways and Transport Wiltshire Council",
    "YAS Legal"). Trimming them may only leave a listed name of two or more words or a listed
    acronym. Place and compass words are absent on purpose ("West Midlands Police" must not lose
    "West"), and so is "office" ("Met Office" is not the Met). -#}
['chief', 'executive', 'executives', 'officer', 'ceo', 'chair', 'chairman', 'chairperson',
    'director', 'directors', 'directorate', 'medical', 'clinical', 'managing', 'manager',
    'registered', 'head', 'deputy', 'acting', 'interim', 'of', 'for', 'at', 'to', 'the', 'and',
    'legal', 'litigation', 'claims', 'complaints', 'governance', 'safeguarding', 'team',
    'department', 'highways', 'highway', 'transport', 'transportation', 'adult', 'adults',
    'children', 'childrens', 'social', 'services', 'redacted', 'attention', 'fao', 'dear',
    'secretary', 'solicitor', 'solicitors']
{%- endmacro %}

{% macro organisation_type_by_rule(col) -%}
{#- The kind of body a name's words say it is (null when they say nothing). Used to keep a
    response from matching a recipient of another kind; an unlisted recipient gets a type only
    through unlisted_organisation_type, which asks more of the name. Words never make an NHS
    trust: a trust is typed only by the ODS list (an NHS-looking name that matches no listed
    trust stays unresolved). -#}
case
    when regexp_matches(lower({{ col }}), '\b(council|county council|city of london corporation)\b')
        then 'local_authority'
    when regexp_matches(lower({{ col }}), '\b(police|constabulary)\b') then 'police'
    when regexp_matches(lower({{ col }}), '\b(hmp|hmyoi|yoi|prison|prisons|probation|immigration removal centre)\b')
        then 'prison_probation'
    when regexp_matches(lower({{ col }}), '\b(integrated care board|integrated care system|icb|clinical commissioning group|ccg|health board)\b|\bintegrated care$')
        then 'icb_health_board'
    when regexp_matches(lower({{ col }}), '\b(care home|nursing home|residential home|care centre|home care|homecare|care group|healthcare group|supported living|hospice)\b')
        then 'care_provider'
    when regexp_matches(lower({{ col }}), '\b(ltd|limited|plc|llp|inc|incorporated)\b\.?') then 'private_company'
    when regexp_matches(lower({{ col }}), '\b(university|school|academy)\b')
        and not regexp_matches(lower({{ col }}), '\b(hospital|hospitals|nhs)\b')
        then 'education'
    when regexp_matches(lower({{ col }}), '\b(department for|department of|ministry of)\b')
        then 'government_department'
end
{%- endmacro %}

{% macro unlisted_organisation_type(col) -%}
{#- The type of an organisation in neither list, only where its words leave no doubt: a council
    named fully ("Sandwell Metropolitan Borough Council", not "Council", nor the "Medical
    Research Council"); a police force, prison, CCG/ICB, care home, company, school or
    government department with at least one word that names which one (unlisted_name_words).
    NHS trusts, health boards and ambulance or mental health services never get a type from
    words (see looks_like_nhs_trust). Null otherwise. -#}
case
    when len(list_filter(
        string_split({{ org_name_key(col) }}, ' '),
        lambda t: length(t) >= 2 and not list_contains({{ unlisted_name_words() }}, t)
    )) = 0 then null
    when regexp_matches(lower({{ col }}), '\bcouncil$|\b(city|county|borough|district|parish|town) council\b|^(london|royal) borough of\b|\bcity of london corporation\b')
        and not regexp_matches(lower({{ col }}), '\b(national|british|general|medical|research|industry|schools?|professionals?|professions|advisory|sports?|arts|police|chiefs|safety|standards|nursing|pharmaceutical|dental|optical|association|institute|society|trust|nhs|care)\b')
        then 'local_authority'
    when regexp_matches(lower({{ col }}), '\b(police|constabulary)\b')
        and not regexp_matches(lower({{ col }}), '\b(association|federation|college|council|institute)\b')
        then 'police'
    when regexp_matches(lower({{ col }}), '\b(hmp|hmyoi|yoi|prison|probation service|immigration removal centre)\b')
        then 'prison_probation'
    when regexp_matches(lower({{ col }}), '\b(integrated care board|integrated care system|icb|clinical commissioning group|ccg)\b')
        then 'icb_health_board'
    when regexp_matches(lower({{ col }}), '\b(care home|nursing home|residential home|care centre|home care|homecare|care group|supported living|hospice)\b')
        then 'care_provider'
    -- independent hospital groups, never NHS trusts
    when regexp_matches(lower({{ col }}), '\b(spire|bmi|priory|nuffield health|cygnet|huntercombe|elysium|ramsay)\b')
        then 'care_provider'
    when regexp_matches(lower({{ col }}), '\b(ltd|limited|plc|llp|inc|incorporated)\b\.?') then 'private_company'
    when regexp_matches(lower({{ col }}), '\b(school|academy|university)\b')
        and not regexp_matches(lower({{ col }}), '\b(hospital|hospitals|nhs|health|trust|board|medical|practice|surgery|minister)\b')
        then 'education'
    when regexp_matches(lower({{ col }}), '^(the )?(department (for|of)|ministry of)\b|^(the )?(rt hon )?secretary of state (for|of)\b')
        and not regexp_matches(lower({{ col }}), '\b(council|nhs|trust|hospital|adult|adults|children|childrens|safeguarding|social care)\b')
        then 'government_department'
end
{%- endmacro %}

{% macro unlisted_name_words() -%}
{#- Words that say what kind of body a name is or where it sits, but not which one: a name made
    only of these ("County Council", "Clinical Commissioning Group", "West Police") is a
    fragment and gets no type. -#}
['council', 'councils', 'county', 'borough', 'district', 'parish', 'town', 'city', 'metropolitan',
    'royal', 'of', 'the', 'and', 'for', 'police', 'constabulary', 'force', 'service',
    'services', 'chief', 'constable', 'hm', 'hmp', 'hmyoi', 'yoi', 'prison', 'prisons', 'probation',
    'immigration', 'removal', 'centre', 'center', 'integrated', 'care', 'board', 'icb', 'ccg',
    'clinical', 'commissioning', 'group', 'nhs', 'health', 'home', 'homes', 'nursing',
    'residential', 'supported', 'living', 'hospice', 'ltd', 'limited', 'plc', 'llp', 'inc',
    'incorporated', 'company', 'school', 'schools', 'academy', 'university', 'college',
    'department', 'ministry', 'north', 'south', 'east', 'west', 'northern', 'southern', 'eastern',
    'western', 'central', 'mid', 'greater', 'upper', 'lower', 'new', 'national']
{%- endmacro %}

{% macro looks_like_nhs_trust(col) -%}
{#- A name that reads as an NHS trust or health board, a hospital, or an ambulance or mental
    health service: when it matches no listed body it is left unresolved, never typed. A trust
    of another kind ("Canal and River Trust", "X Academy Trust") does not read so. -#}
regexp_matches(lower({{ col }}), '\bnhs\b|\bfoundation trusts?\b|\b(health|healthcare|hospitals?|care|partnership|community|teaching|ambulance|mental health)\b.{0,40}\btrusts?\b|\bhospitals?\b|\bhealth board\b|\bambulance (service|services|trust)\b|\bmental health (trust|services?|partnership)\b')
{%- endmacro %}

{% macro org_folded_words(col) -%}
{#- The words of a name key with plurals and compass adjectives folded ("Valleys" = "Valley",
    "Western" = "West", "Welsh" = "Wales", "Saint" = "St"), in order. -#}
list_transform(
    list_transform(
        string_split(coalesce({{ org_name_key(col) }}, ''), ' '),
        lambda t: case t
            when 'welsh' then 'wales' when 'western' then 'west' when 'eastern' then 'east'
            when 'northern' then 'north' when 'southern' then 'south' when 'saint' then 'st'
            else t end
    ),
    lambda t: case
        when length(t) > 3 and t like '%s' and t not like '%ss' then left(t, length(t) - 1)
        else t end
)
{%- endmacro %}

{% macro org_word_set(folded_words) -%}
{#- A name's words in any order, without "NHS", "Foundation", "Trust" and joining words, from its
    folded words (org_folded_words): the same trust written in another order ("Brighton Sussex
    University Hospitals NHS Trust" for "Brighton and Sussex University Hospitals NHS Trust").
    A sorted, distinct list. -#}
list_sort(list_distinct(list_filter(
    {{ folded_words }},
    lambda t: length(t) > 0
        and t not in ('nhs', 'foundation', 'trust', 'the', 'and', 'of', 'for', 'in', 'at', 'ft',
            'nhsft')
)))
{%- endmacro %}

{% macro org_core_words(folded_words) -%}
{#- The words that tell one NHS trust from another, in any order, from its folded words
    (org_folded_words): without those every trust name is made of ("NHS", "Foundation",
    "Trust", "Mental Health", "Partnership", "University", "Hospitals"...) or that a writer puts
    around it (job titles). "Avon and Wiltshire NHS Mental Health Trust" and "Avon and
    Wiltshire Mental Health Partnership NHS Trust" both give [avon, wiltshire]. A sorted,
    distinct list. -#}
list_sort(list_distinct(list_filter(
    {{ folded_words }},
    lambda t: length(t) > 0 and not list_contains({{ core_filler_words() }}, t)
)))
{%- endmacro %}

{% macro core_filler_words() -%}
{#- Already folded (no plural "s"): see org_core_words. -#}
['nhs', 'foundation', 'trust', 'the', 'and', 'of', 'for', 'in', 'at', 'national', 'health',
    'healthcare', 'service', 'university', 'teaching', 'partnership', 'hospital', 'care',
    'mental', 'community', 'ambulance', 'social', 'integrated', 'combined', 'district', 'ft',
    'nhsft', 'group', 'chief', 'executive', 'officer', 'ceo', 'chair', 'chairman', 'director',
    'medical', 'managing', 'manager', 'head', 'deputy', 'acting', 'interim', 'legal',
    'litigation', 'claim', 'complaint', 'governance', 'safeguarding', 'team', 'department',
    'fao', 'attention', 'dear', 'redacted', 'secretary', 'solicitor']
{%- endmacro %}

{% macro organisation_class(type_col) -%}
{#- Types that one organisation may be given by different routes (an NHS trust's function) -#}
case when {{ type_col }} like 'nhs_%' then 'nhs_trust' else {{ type_col }} end
{%- endmacro %}

{% macro generic_organisation_words() -%}
{#- Words that say what kind of body a name is, not which one: what is left ("pennine",
    "dorset") identifies it among the few recipients of one report. -#}
['nhs', 'foundation', 'trust', 'trusts', 'university', 'hospital', 'hospitals', 'teaching',
    'health', 'healthcare', 'care', 'services', 'service', 'council', 'county', 'borough', 'city',
    'metropolitan', 'district', 'police', 'constabulary', 'clinical', 'commissioning', 'group',
    'integrated', 'board', 'icb', 'ccg', 'partnership', 'the', 'and', 'of', 'for', 'ltd',
    'limited', 'plc', 'national', 'department', 'ministry', 'office', 'agency', 'authority',
    'commission', 'general', 'community', 'mental', 'ambulance', 'social', 'hm', 'hmp', 'prison',
    'local', 'chief', 'executive', 'legal', 'team', 'uk', 'england', 'wales', 'redacted',
    'published', 'response', 'letter', 'further', 'from', 'by', 'to', 'rail', 'railway', 'railways',
    'transport', 'highways']
{%- endmacro %}

{% macro is_near_exact_name(left_key, right_key) -%}
{#- Two name keys of the same words but one, where the two differing words are a slip apart:
    one edit (two for words of eight letters or more), both of five letters or more ("englands"
    and "england", "natwork" and "network"; never "east" and "west", "north" and "south"). -#}
(
    len(string_split({{ left_key }}, ' ')) = len(string_split({{ right_key }}, ' '))
    and len(list_filter(
        list_zip(string_split({{ left_key }}, ' '), string_split({{ right_key }}, ' ')),
        lambda pair: pair[1] <> pair[2]
    )) = 1
    and len(list_filter(
        list_zip(string_split({{ left_key }}, ' '), string_split({{ right_key }}, ' ')),
        lambda pair: pair[1] <> pair[2]
            and length(pair[1]) >= 5
            and length(pair[2]) >= 5
            and damerau_levenshtein(pair[1], pair[2])
            <= case when least(length(pair[1]), length(pair[2])) >= 8 then 2 else 1 end
    )) = 1
)
{%- endmacro %}

{% macro name_initials(name_key) -%}
{#- The initials of a name key's words, without "of", "and", "the", "for" ("department of
    health and social care" -> "dhsc"); null for a name of one word. -#}
case
    when {{ name_key }} like '% %' then array_to_string(list_transform(
        list_filter(
            string_split({{ name_key }}, ' '),
            lambda t: t not in ('of', 'and', 'the', 'for', 'in', 'on', 'to', 'at')
        ),
        lambda t: left(t, 1)
    ), '')
end
{%- endmacro %}
