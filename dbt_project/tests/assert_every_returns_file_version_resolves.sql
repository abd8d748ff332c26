-- A returns file version with a name that resolves to no organisation or coroner area (or a
-- duplicate row) is held out of the reconciliation: a warning, because the build and the
-- previously accepted version stay good, and the failing rows name the file, row, column and
-- name (audit_returns_unresolved.problem_text).
{{ config(severity='warn') }}

select
    problem_text,
    file_name,
    row_number,
    column_name,
    name_as_written
from {{ ref('audit_returns_unresolved') }}
