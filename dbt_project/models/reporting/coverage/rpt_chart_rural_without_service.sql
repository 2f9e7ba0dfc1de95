-- The report's chart of the rural population without home care or day centres: at the latest register snapshot,
-- per planning region (today's map) × service group, the people of the parishes where no record of the group
-- provides, summed over the region's municipalities from rpt_service_coverage, and their share of the region's
-- population.
with

latest as (

    select *
    from {{ ref('rpt_service_coverage') }}
    where snapshot_date = (select max(snapshot_date) from {{ ref('rpt_service_coverage') }})
        and service_group in ('home_care', 'day_centres')

),

by_region as (

    select
        snapshot_date,
        planning_region,
        service_group,
        max(population_year) as population_year,
        count(*) as municipalities,
        sum(rural_population_without_service) as rural_population_without_service,
        sum(population) as population
    from latest
    group by snapshot_date, planning_region, service_group

)

select
    snapshot_date,
    planning_region,
    service_group,
    population_year,
    cast(municipalities as integer) as municipalities,
    cast(rural_population_without_service as integer) as rural_population_without_service,
    cast(population as integer) as population,
    case when population > 0
         then cast(round(100.0 * rural_population_without_service / population, 1) as {{ lvsocial.type_double() }})
    end as share_of_population_percent
from by_region
