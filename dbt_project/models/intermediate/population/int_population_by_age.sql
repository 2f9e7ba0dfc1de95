-- Population by age group per year × territory, on the 2021 map and today's: one row per municipality of 2021
-- (area_level `municipality`) and one per city, town or parish of the seed territorial_units (area_level `unit`).
-- A state city that is a municipality of its own is also its own unit, with the municipality's figures. A unit of
-- the file that the seed does not list keeps its name with an empty territorial_unit_key (a warning test).
with

ages as (

    select
        year,
        atvk_code,
        territorial_unit,
        territorial_unit_key,
        sum(case when age_group = 'total' then population end) as population,
        sum(case when age_group = '0_17' then population end) as population_0_17,
        sum(case when age_group = '18_64' then population end) as population_18_64,
        sum(case when age_group = '65_plus' then population end) as population_65plus
    from {{ ref('stg_population__by_age') }}
    group by year, atvk_code, territorial_unit, territorial_unit_key

),

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}
    where valid_from = cast('2021-07-01' as date)

),

units as (

    select
        u.*,
        {{ lvsocial.fold_lv('u.territorial_unit') }} as name_key
    from {{ ref('int_territorial_units') }} as u

),

own_units as (

    -- a state city that is a municipality of its own: the unit named like the municipality
    select u.municipality_key, u.territorial_unit_key, u.territorial_unit, u.territorial_unit_type
    from units as u
    inner join municipalities as m
        on m.municipality_key = u.municipality_key
        and {{ lvsocial.fold_lv('m.name_lv') }} = u.name_key
        and u.territorial_unit_type = 'city'

),

areas as (

    select
        a.year,
        m.municipality_key,
        m.current_municipality_key,
        case when a.territorial_unit is null then 'municipality' else 'unit' end as area_level,
        u.territorial_unit_key,
        coalesce(u.territorial_unit, a.territorial_unit) as territorial_unit,
        u.territorial_unit_type,
        a.population,
        a.population_0_17,
        a.population_18_64,
        a.population_65plus
    from ages as a
    inner join municipalities as m on m.atvk_code = a.atvk_code
    left join units as u
        on u.municipality_key = m.municipality_key
        and u.name_key = a.territorial_unit_key

)

select * from areas

union all

select
    a.year,
    a.municipality_key,
    a.current_municipality_key,
    'unit' as area_level,
    o.territorial_unit_key,
    o.territorial_unit,
    o.territorial_unit_type,
    a.population,
    a.population_0_17,
    a.population_18_64,
    a.population_65plus
from areas as a
inner join own_units as o on o.municipality_key = a.municipality_key
where a.area_level = 'municipality'
