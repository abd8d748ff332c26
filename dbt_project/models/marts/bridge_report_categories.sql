-- Report x report type (one of the 17 judiciary.uk pfd_report_type slugs); a report can carry
-- several types and a few carry none.

select
    report_url,
    report_type_slug,
    report_type_name
from {{ ref('stg_judiciary_pfd__report_categories') }}
