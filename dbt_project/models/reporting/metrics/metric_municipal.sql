-- The municipal metrics, each defined here once, per year × current municipality (today's map): social-protection
-- spending (functional group 10.000, the group total) per inhabitant and social-work specialists per 1,000
-- inhabitants. The sums add up to regions and the country; re-derive the ratios from them.
with

spending as (

    select year, current_municipality_key, sum(executed_eur) as executed_eur
    from {{ ref('fct_municipal_expenditure') }}
    where is_group_total
    group by year, current_municipality_key

),

staffing as (

    select year, current_municipality_key, sum(social_work_specialists) as social_work_specialists
    from {{ ref('fct_social_work_staffing') }}
    group by year, current_municipality_key

),

population as (

    select year, current_municipality_key, population from {{ ref('int_population_harmonised') }}

),

keys as (

    select year, current_municipality_key from spending
    union
    select year, current_municipality_key from staffing

)

select
    k.year,
    cast({{ dbt.concat(["cast(k.year as " ~ dbt.type_string() ~ ")", "'-01-01'"]) }} as date) as year_start,
    k.current_municipality_key,
    m.name_lv as municipality_name,
    m.planning_region,
    s.executed_eur,
    w.social_work_specialists,
    p.population,
    case
        when p.population > 0 then cast(s.executed_eur as {{ lvsocial.type_double() }}) / p.population
    end as expenditure_per_inhabitant_eur,
    case
        when p.population > 0 then cast(1000 as {{ lvsocial.type_double() }}) * w.social_work_specialists / p.population
    end as specialists_per_1000
from keys as k
left join spending as s on s.year = k.year and s.current_municipality_key = k.current_municipality_key
left join staffing as w on w.year = k.year and w.current_municipality_key = k.current_municipality_key
left join population as p on p.year = k.year and p.current_municipality_key = k.current_municipality_key
left join {{ ref('dim_municipality') }} as m on m.municipality_key = k.current_municipality_key
