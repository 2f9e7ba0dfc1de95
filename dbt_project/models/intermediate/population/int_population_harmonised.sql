-- Population per year on today's map: each current municipality is the sum of the versions that lie in it, taken
-- from one map per year — the latest map the file gives values for (for 2021 the 2021 map, recalculated back to
-- 1 January; before the reform, the sum of today's municipality's predecessors).
with

allocated as (

    select * from {{ ref('int_population_allocated') }}
    where current_municipality_key is not null

),

ranked as (

    select
        *,
        dense_rank() over (
            partition by year, current_municipality_key
            order by municipality_valid_from desc
        ) as map_rank
    from allocated

)

select
    year,
    current_municipality_key,
    min(municipality_valid_from) as map_valid_from,
    sum(population) as population,
    count(*) as municipalities_summed
from ranked
where map_rank = 1
group by year, current_municipality_key
