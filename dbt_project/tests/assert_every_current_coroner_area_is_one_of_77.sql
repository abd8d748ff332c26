-- Resolution must land on the 77 current areas of England and Wales, never on a spelling.
-- Reads several models; its Dagster asset check belongs to the one it is about.
{{ config(meta={'dagster': {'ref': {'name': 'dim_coroner_areas'}}}) }}

select current_coroner_area
from {{ ref('dim_coroner_areas') }}
where
    current_coroner_area is not null
    and current_coroner_area not in (select coroner_area from {{ ref('coroner_areas_current') }})
union all
select 'count is ' || cast(count(*) as varchar)
from {{ ref('dim_coroner_areas') }}
where is_current
having count(*) <> 77
