-- The law's norm of at least one social-work specialist per 1,000 inhabitants, per year × current municipality:
-- specialists and population summed over the municipality versions that lie in it (before the reform, its
-- predecessors), and whether today's territory meets the norm; how many of the versions of the time met it.
with

staffing as (

    select * from {{ ref('fct_social_work_staffing') }}

),

by_municipality as (

    select
        year,
        current_municipality_key,
        sum(social_work_specialists) as social_work_specialists,
        sum(other_staff) as other_staff,
        -- NULL unless every version summed has its population
        case when count(population) = count(*) then sum(population) end as population,
        count(*) as municipalities_summed,
        sum(case when meets_norm then 1 else 0 end) as municipalities_meeting_norm,
        sum(case when not meets_norm then 1 else 0 end) as municipalities_below_norm
    from staffing
    group by year, current_municipality_key

)

select
    b.year,
    b.current_municipality_key,
    m.atvk_code,
    m.name_lv as municipality_name,
    m.planning_region,
    b.social_work_specialists,
    b.other_staff,
    b.population,
    case
        when b.population > 0 then cast(1000 as {{ lvsocial.type_double() }}) * b.social_work_specialists / b.population
    end as specialists_per_1000,
    case when b.population > 0 then b.social_work_specialists * 1000 >= b.population end as meets_norm,
    b.municipalities_summed,
    b.municipalities_meeting_norm,
    b.municipalities_below_norm
from by_municipality as b
left join {{ ref('dim_municipality') }} as m on m.municipality_key = b.current_municipality_key
