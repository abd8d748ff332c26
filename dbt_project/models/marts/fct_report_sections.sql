-- One row per report and section of the report's own words (Regulation 28 template sections:
-- coroner, legal_powers, investigation_and_inquest, circumstances_of_death, coroners_concerns,
-- action_should_be_taken, your_response, copies_and_publication, signature), read from the page
-- when it shows the report inline, else from the report PDF (text_source).

select
    md5(report_url || '|' || cast(section_number as varchar)) as report_section_key,
    report_url,
    section_number,
    section_key,
    section_heading,
    section_text,
    word_count,
    text_source
from {{ ref('stg_judiciary_pfd__report_sections') }}
