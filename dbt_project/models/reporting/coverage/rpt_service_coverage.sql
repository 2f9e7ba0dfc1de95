-- Where services are: per register snapshot × current municipality (today's map, all of them) × service group, the
-- providers and places providing there, the population (all ages and 65+) and the territorial units (cities, towns,
-- parishes of the seed territorial_units) with and without such a service — the rural population without it being
-- the people of parishes where no record of the group provides. A record counts when its status is `providing`;
-- population is of the snapshot's year (start of year), or the latest earlier year the file gives.
with

records as (

    select f.*, s.report_group as service_group
    from {{ ref('fct_provider_services') }} as f
    inner join {{ ref('dim_service') }} as s on s.service_key = f.service_key
    where f.status = 'providing'

),

snapshots as (

    select distinct snapshot_date from {{ ref('fct_provider_services') }}

),

municipalities as (

    select municipality_key, name_lv, planning_region, is_border
    from {{ ref('dim_municipality') }}
    where is_current

),

service_groups as (

    select distinct report_group as service_group from {{ ref('dim_service') }}

),

population as (

    select * from {{ ref('int_population_by_age') }}

),

population_years as (

    select s.snapshot_date, max(p.year) as population_year
    from snapshots as s
    inner join (select distinct year from population) as p
        on p.year <= cast(extract(year from s.snapshot_date) as integer)
    group by s.snapshot_date

),

grid as (

    select s.snapshot_date, y.population_year, m.municipality_key as current_municipality_key, m.name_lv,
           m.planning_region, m.is_border, g.service_group
    from snapshots as s
    left join population_years as y on y.snapshot_date = s.snapshot_date
    cross join municipalities as m
    cross join service_groups as g

),

by_municipality as (

    select
        snapshot_date,
        current_municipality_key,
        service_group,
        count(distinct register_number) as providers,
        sum(capacity) as places,
        count(distinct territorial_unit) as territorial_units_with_service
    from records
    group by snapshot_date, current_municipality_key, service_group

),

municipal_population as (

    select year, current_municipality_key, sum(population) as population, sum(population_65plus) as population_65plus
    from population
    where area_level = 'municipality'
    group by year, current_municipality_key

),

units as (

    select current_municipality_key, count(*) as territorial_units
    from {{ ref('int_territorial_units') }}
    group by current_municipality_key

),

parishes as (

    select p.year, p.current_municipality_key, p.territorial_unit, p.population
    from population as p
    where p.area_level = 'unit' and p.territorial_unit_type = 'parish'

),

served_parishes as (

    select distinct snapshot_date, current_municipality_key, service_group, territorial_unit
    from records
    where territorial_unit_type = 'parish'

),

rural_without as (

    select
        g.snapshot_date,
        g.current_municipality_key,
        g.service_group,
        sum(p.population) as rural_population_without_service
    from grid as g
    inner join parishes as p
        on p.year = g.population_year
        and p.current_municipality_key = g.current_municipality_key
    left join served_parishes as s
        on s.snapshot_date = g.snapshot_date
        and s.current_municipality_key = g.current_municipality_key
        and s.service_group = g.service_group
        and s.territorial_unit = p.territorial_unit
    where s.territorial_unit is null
    group by g.snapshot_date, g.current_municipality_key, g.service_group

)

select
    g.snapshot_date,
    g.current_municipality_key,
    g.name_lv,
    g.planning_region,
    g.is_border,
    g.service_group,
    cast(coalesce(b.providers, 0) as integer) as providers,
    cast(coalesce(b.places, 0) as integer) as places,
    g.population_year,
    cast(mp.population as integer) as population,
    cast(mp.population_65plus as integer) as population_65plus,
    case when mp.population_65plus > 0
         then cast(round(1000.0 * coalesce(b.places, 0) / mp.population_65plus, 2) as {{ lvsocial.type_double() }})
    end as places_per_1000_65plus,
    cast(coalesce(u.territorial_units, 0) as integer) as territorial_units,
    cast(coalesce(b.territorial_units_with_service, 0) as integer) as territorial_units_with_service,
    case when mp.population is not null then cast(coalesce(r.rural_population_without_service, 0) as integer) end
        as rural_population_without_service
from grid as g
left join by_municipality as b
    on b.snapshot_date = g.snapshot_date
    and b.current_municipality_key = g.current_municipality_key
    and b.service_group = g.service_group
left join municipal_population as mp
    on mp.year = g.population_year
    and mp.current_municipality_key = g.current_municipality_key
left join units as u on u.current_municipality_key = g.current_municipality_key
left join rural_without as r
    on r.snapshot_date = g.snapshot_date
    and r.current_municipality_key = g.current_municipality_key
    and r.service_group = g.service_group
