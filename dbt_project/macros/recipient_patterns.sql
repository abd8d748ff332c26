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
