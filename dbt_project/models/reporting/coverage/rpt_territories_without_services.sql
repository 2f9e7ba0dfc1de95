-- The list a planner acts on: per register snapshot, every town and parish (and city inside a novads: Jēkabpils,
-- Ogre, Valmiera) of the seed territorial_units × service group with no record of that group providing there, with
-- its population (all ages and 65+, of the snapshot's year or the latest earlier one), its municipality on
-- today's map and the border flag. State cities that are municipalities of their own are in rpt_service_coverage.
-- Legacy snapshots (2010–2016) give street parts only, so their town records are mostly unplaced: read the list
-- from the 2017 JSON snapshots on.
with

records as (

    select distinct f.snapshot_date, f.current_municipality_key, f.territorial_unit, s.report_group as service_group
    from {{ ref('fct_provider_services') }} as f
    inner join {{ ref('dim_service') }} as s on s.service_key = f.service_key
    where f.status = 'providing' and f.territorial_unit is not null

),

snapshots as (

    select distinct snapshot_date from {{ ref('fct_provider_services') }}

),

service_groups as (

    select distinct report_group as service_group from {{ ref('dim_service') }}

),

municipalities as (

    select municipality_key, name_lv, planning_region, is_border, municipality_type
    from {{ ref('dim_municipality') }}

),

units as (

    select u.*
    from {{ ref('int_territorial_units') }} as u
    inner join municipalities as m on m.municipality_key = u.municipality_key
    where u.territorial_unit_type <> 'city' or m.municipality_type = 'novads'

),

population as (

    select * from {{ ref('int_population_by_age') }}
    where area_level = 'unit'

),

population_years as (

    select s.snapshot_date, max(p.year) as population_year
    from snapshots as s
    inner join (select distinct year from population) as p
        on p.year <= cast(extract(year from s.snapshot_date) as integer)
    group by s.snapshot_date

)

select
    s.snapshot_date,
    u.current_municipality_key,
    m.name_lv as municipality_name,
    m.planning_region,
    m.is_border,
    u.territorial_unit,
    u.territorial_unit_type,
    g.service_group,
    y.population_year,
    cast(p.population as integer) as population,
    cast(p.population_65plus as integer) as population_65plus
from snapshots as s
cross join units as u
cross join service_groups as g
inner join municipalities as m on m.municipality_key = u.current_municipality_key
left join population_years as y on y.snapshot_date = s.snapshot_date
left join population as p
    on p.territorial_unit_key = u.territorial_unit_key
    and p.year = y.population_year
left join records as r
    on r.snapshot_date = s.snapshot_date
    and r.current_municipality_key = u.current_municipality_key
    and r.territorial_unit = u.territorial_unit
    and r.service_group = g.service_group
where r.territorial_unit is null
