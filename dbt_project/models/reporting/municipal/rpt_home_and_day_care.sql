-- Home care and day-care centres, the series the seed presentation charts: clients and spending (EUR; lats
-- converted at the fixed rate) per year × current municipality. Home care by own staff and purchased are kept
-- apart from 2017, when the form started to split them; before, they are NULL (the form had one line).
with

statistics as (

    select f.*, s.service_code
    from {{ ref('fct_social_service_statistics') }} as f
    inner join {{ ref('dim_service') }} as s on s.service_key = f.service_key

),

population as (

    select year, current_municipality_key, population from {{ ref('int_population_harmonised') }}

),

by_municipality as (

    select
        year,
        current_municipality_key,
        coalesce(sum(case when service_code = 'home_care' then clients end), 0) as home_care_clients,
        coalesce(sum(case when service_code = 'home_care' then expenditure_eur end), 0) as home_care_eur,
        max(case when service_code = 'home_care' and provision <> 'not_split' then 1 else 0 end) as is_split,
        coalesce(sum(case when service_code = 'home_care' and provision = 'own' then clients end), 0)
            as home_care_own_clients,
        coalesce(sum(case when service_code = 'home_care' and provision = 'own' then expenditure_eur end), 0)
            as home_care_own_eur,
        coalesce(sum(case when service_code = 'home_care' and provision = 'purchased' then clients end), 0)
            as home_care_purchased_clients,
        coalesce(sum(case when service_code = 'home_care' and provision = 'purchased' then expenditure_eur end), 0)
            as home_care_purchased_eur,
        coalesce(sum(case when service_code = 'day_care_centre' then clients end), 0) as day_care_clients,
        coalesce(sum(case when service_code = 'day_care_centre' then expenditure_eur end), 0) as day_care_eur,
        count(distinct municipality_key) as municipalities_summed
    from statistics
    group by year, current_municipality_key

)

select
    b.year,
    b.current_municipality_key,
    m.atvk_code,
    m.name_lv as municipality_name,
    m.planning_region,
    b.home_care_clients,
    b.home_care_eur,
    case when b.is_split = 1 then b.home_care_own_clients end as home_care_own_clients,
    case when b.is_split = 1 then b.home_care_own_eur end as home_care_own_eur,
    case when b.is_split = 1 then b.home_care_purchased_clients end as home_care_purchased_clients,
    case when b.is_split = 1 then b.home_care_purchased_eur end as home_care_purchased_eur,
    b.day_care_clients,
    b.day_care_eur,
    p.population,
    case when p.population > 0 then cast(round(1000.0 * b.home_care_clients / p.population, 2) as {{ lvsocial.type_double() }}) end
        as home_care_clients_per_1000,
    b.municipalities_summed
from by_municipality as b
left join {{ ref('dim_municipality') }} as m on m.municipality_key = b.current_municipality_key
left join population as p on p.year = b.year and p.current_municipality_key = b.current_municipality_key
