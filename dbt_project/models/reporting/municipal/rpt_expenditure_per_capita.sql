-- Social-protection spending per inhabitant: year × current municipality × functional code, on today's map (a
-- pre-reform year sums today's municipality's predecessors; 2021 sums the first half-year of the old
-- municipalities and the second of the new). 10.000 is the group total: never add it to the other codes.
with

expenditure as (

    select
        year,
        current_municipality_key,
        function_code,
        max(function_name_lv) as function_name_lv,
        {{ dbt.bool_or("is_group_total") }} as is_group_total,
        sum(planned_eur) as planned_eur,
        sum(executed_eur) as executed_eur,
        count(distinct municipality_key) as municipalities_summed
    from {{ ref('fct_municipal_expenditure') }}
    group by year, current_municipality_key, function_code

),

population as (

    select year, current_municipality_key, population from {{ ref('int_population_harmonised') }}

),

municipalities as (

    select * from {{ ref('dim_municipality') }}

),

functions as (

    select code, name_en from {{ ref('functional_codes') }}

)

select
    e.year,
    e.current_municipality_key,
    m.atvk_code,
    m.name_lv as municipality_name,
    m.planning_region,
    e.function_code,
    e.function_name_lv,
    f.name_en as function_name_en,
    e.is_group_total,
    e.planned_eur,
    e.executed_eur,
    p.population,
    case when p.population > 0 then cast(round(e.executed_eur / p.population, 2) as {{ lvsocial.type_double() }}) end
        as executed_eur_per_capita,
    case when p.population > 0 then cast(round(e.planned_eur / p.population, 2) as {{ lvsocial.type_double() }}) end
        as planned_eur_per_capita,
    e.municipalities_summed
from expenditure as e
left join municipalities as m on m.municipality_key = e.current_municipality_key
left join population as p on p.year = e.year and p.current_municipality_key = e.current_municipality_key
left join functions as f on f.code = e.function_code
