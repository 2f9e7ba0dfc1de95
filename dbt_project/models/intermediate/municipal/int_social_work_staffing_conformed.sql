-- Social services' staffing on the municipality map, with the population of the same municipality version at the
-- start of the year: specialists per 1,000 inhabitants and the law's norm (at least one per 1,000). Versions
-- without a population that year keep NULL ratio and flag.
with

staffing as (

    select * from {{ ref('stg_budgets__staffing') }}

),

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

),

population as (

    select year, municipality_key, population from {{ ref('int_population_allocated') }}
    where municipality_key is not null

),

matched as (

    {{ lvsocial.resolve_municipality('staffing', ['source_file', 'source_row'],
                                     atvk_code='r.atvk_code', year='r.year') }}

),

joined as (

    select
        s.year,
        s.atvk_code,
        m.municipality_key,
        mv.current_municipality_key,
        s.social_work_specialists,
        s.other_staff,
        p.population,
        s.municipality_as_written,
        s.source_file,
        s.source_row
    from staffing as s
    left join matched as m
        on m.source_file = s.source_file
        and m.source_row = s.source_row
    left join municipalities as mv on mv.municipality_key = m.municipality_key
    left join population as p on p.year = s.year and p.municipality_key = m.municipality_key

)

select
    *,
    -- a double from the start: Spark would divide `1000.0` (a decimal) to 12 decimals before the mart's cast
    case
        when population > 0 then cast(1000 as {{ lvsocial.type_double() }}) * social_work_specialists / population
    end as specialists_per_1000,
    case
        when population > 0 then social_work_specialists * 1000 >= population
    end as meets_norm
from joined
