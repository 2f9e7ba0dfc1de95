-- The register's metrics, each defined here once, per snapshot × current municipality (today's map): records,
-- provider units, places, community share of places, places per 1,000 inhabitants and per 1,000 aged 65+. Sums (records, places,
-- population) add up to regions and the country; `providers` does not (a unit may serve several municipalities:
-- count register numbers in fct_provider_services for a larger area). Ratios: re-derive from their sums.
with

records as (

    select
        r.snapshot_date,
        r.current_municipality_key,
        r.register_number,
        r.status,
        r.capacity,
        s.care_setting
    from {{ ref('fct_provider_services') }} as r
    join {{ ref('dim_service') }} as s on s.service_key = r.service_key

),

by_municipality as (

    select
        snapshot_date,
        current_municipality_key,
        count(*) as records,
        sum(case when status = 'providing' then 1 else 0 end) as records_providing,
        count(distinct case when status <> 'stopped' then register_number end) as providers,
        coalesce(sum(case when status = 'providing' then capacity end), 0) as places,
        coalesce(sum(case when status = 'providing' and care_setting = 'community' then capacity end), 0)
            as community_places,
        coalesce(sum(case when status = 'providing' and care_setting = 'institutional' then capacity end), 0)
            as institutional_places
    from records
    group by snapshot_date, current_municipality_key

),

population as (

    select year, current_municipality_key, population from {{ ref('int_population_harmonised') }}

),

aged_65plus as (

    -- the population-by-age file's municipalities (2021 map, today's keys)
    select year, current_municipality_key, sum(population_65plus) as population_65plus
    from {{ ref('int_population_by_age') }}
    where area_level = 'municipality'
    group by year, current_municipality_key

)

select
    b.snapshot_date,
    b.current_municipality_key,
    m.name_lv as municipality_name,
    m.planning_region,
    b.records,
    b.records_providing,
    b.providers,
    b.places,
    b.community_places,
    b.institutional_places,
    case
        when b.community_places + b.institutional_places > 0
            then cast(b.community_places as {{ lvsocial.type_double() }})
                / (b.community_places + b.institutional_places)
    end as community_share_of_places,
    p.population,
    case
        when p.population > 0 then cast(1000 as {{ lvsocial.type_double() }}) * b.places / p.population
    end as places_per_1000_inhabitants,
    a.population_65plus,
    case
        when a.population_65plus > 0
            then cast(1000 as {{ lvsocial.type_double() }}) * b.places / a.population_65plus
    end as places_per_1000_65plus
from by_municipality as b
left join {{ ref('dim_municipality') }} as m on m.municipality_key = b.current_municipality_key
left join population as p
    on p.current_municipality_key = b.current_municipality_key and p.year = extract(year from b.snapshot_date)
left join aged_65plus as a
    on a.current_municipality_key = b.current_municipality_key and a.year = extract(year from b.snapshot_date)
