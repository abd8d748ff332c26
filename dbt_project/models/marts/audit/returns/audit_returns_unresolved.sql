-- Every problem that holds a returns file version out of the reconciliation: file, spreadsheet
-- row, column and the name as written that resolved to nothing (or the duplicate row), with one
-- line saying so in the loader's form ("file, row N, column C: message"). Only versions held out
-- now (newer than the version in use, or of a file with no accepted version); a superseded
-- version's problems are history. Empty when every loaded file resolves.

with

return_rows as (

    select * from {{ ref('int_returns_resolved') }}

),

file_versions as (

    select * from {{ ref('int_returns_file_versions') }}

),

final as (

    select
        return_rows.file_name,
        return_rows.file_sha256,
        return_rows.loaded_at,
        return_rows.row_number,
        return_rows.problem_column as column_name,
        return_rows.organisation_name as name_as_written,
        return_rows.organisation_key_given,
        return_rows.return_kind,
        return_rows.duplicate_of_row,
        return_rows.problem,
        return_rows.file_name
        || ', row ' || return_rows.row_number
        || coalesce(', column ' || return_rows.problem_column, '')
        || ': ' || return_rows.problem as problem_text,
        file_versions.current_file_sha256
    from return_rows
    inner join file_versions on return_rows.file_sha256 = file_versions.file_sha256
    where
        file_versions.version_status = 'held out'
        and return_rows.problem is not null

)

select * from final
