-- One row per calendar day from 2013-01-01 (the regulations came into force on 25 July 2013)
-- to a year after the as-of date, so due dates always fall inside the calendar.

with

days as (

    select cast(unnest(generate_series(
        date '2013-01-01', {{ as_of_date() }} + interval 400 day,
        interval 1 day
    )) as date) as date_day

),

final as (

    select
        date_day,
        year(date_day) as year,
        quarter(date_day) as quarter,
        month(date_day) as month,
        monthname(date_day) as month_name,
        cast(date_trunc('month', date_day) as date) as month_start,
        isoyear(date_day) as iso_year,
        week(date_day) as iso_week,
        isodow(date_day) as iso_day_of_week,
        dayname(date_day) as day_name,
        isodow(date_day) >= 6 as is_weekend,
        date_day <= {{ as_of_date() }} as is_on_or_before_as_of
    from days

)

select * from final
