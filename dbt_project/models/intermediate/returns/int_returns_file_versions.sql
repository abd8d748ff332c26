-- One row per loaded returns file version, and which version of each file the reconciliation
-- uses. A version is accepted when every one of its rows resolves (int_returns_resolved: no
-- unknown name, no duplicate); the current version of a file is its latest accepted one. A
-- version with any problem is held out as a whole (never half-used), and the previously accepted
-- version of the same file, if any, stays current: the outcome a rejected load had when names
-- were checked at load time. Resolution follows the warehouse, so a held-out version becomes
-- current on the first build where all its names resolve.

with

return_rows as (

    select * from {{ ref('int_returns_resolved') }}

),

versions as (

    select
        file_name,
        file_sha256,
        any_value(loaded_at) as loaded_at,
        bool_or(is_latest_version) as is_latest_version,
        count(*) as row_count,
        count(*) filter (where problem is not null) as problem_rows,
        count(*) filter (where problem is null) = count(*) as is_accepted
    from return_rows
    group by file_name, file_sha256

),

ranked as (

    select
        *,
        is_accepted and row_number() over (
            partition by file_name, is_accepted
            order by loaded_at desc, file_sha256 asc
        ) = 1 as is_current
    from versions

),

current_versions as (

    select
        file_name,
        file_sha256,
        loaded_at
    from ranked
    where is_current

),

final as (

    select
        ranked.file_name,
        ranked.file_sha256,
        ranked.loaded_at,
        ranked.is_latest_version,
        ranked.row_count,
        ranked.problem_rows,
        ranked.is_accepted,
        ranked.is_current,
        case
            when ranked.is_current then 'current'
            when
                not ranked.is_accepted
                and (current_versions.loaded_at is null or ranked.loaded_at > current_versions.loaded_at)
                then 'held out'
            else 'superseded'
        end as version_status,
        current_versions.file_sha256 as current_file_sha256
    from ranked
    left join current_versions on ranked.file_name = current_versions.file_name

)

select * from final
