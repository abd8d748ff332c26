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
{#- The organisation type a name implies by its words alone (for unlisted organisations, and to
    keep a response from matching a recipient of another kind). Null when the words say nothing. -#}
case
    when regexp_matches(lower({{ col }}), '\b(council|borough|county council|city of london corporation)\b')
        then 'local_authority'
    when regexp_matches(lower({{ col }}), '\b(police|constabulary)\b') then 'police'
    when regexp_matches(lower({{ col }}), '\b(hmp|hmyoi|yoi|prison|prisons|probation|immigration removal centre)\b')
        then 'prison_probation'
    when regexp_matches(lower({{ col }}), '\b(integrated care board|integrated care system|icb|clinical commissioning group|ccg|health board)\b|\bintegrated care$')
        then 'icb_health_board'
    when regexp_matches(lower({{ col }}), '\bmental health\b.*\b(nhs|trust)\b|\b(nhs|trust)\b.*\bmental health\b')
        then 'nhs_mental_health_trust'
    when regexp_matches(lower({{ col }}), '\bambulance\b.*\b(nhs|trust)\b') then 'nhs_ambulance_trust'
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
