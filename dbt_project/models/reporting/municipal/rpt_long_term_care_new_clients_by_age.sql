-- The age of people entering long-term care over time (the seed's "higher age of clients entering long-term care"):
-- per year × planning region on today's map, new clients in the year and the shares aged 65+ and 80+, and a mean
-- age from the groups' midpoints (18–64 as 41, 65–79 as 72, 80–89 as 85, 90+ as 92); clients at year end beside.
with

clients as (

    select
        f.year,
        m.planning_region,
        f.age_group,
        f.new_clients,
        f.clients_year_end
    from {{ ref('fct_long_term_care_clients') }} as f
    inner join {{ ref('dim_municipality') }} as m on m.municipality_key = f.current_municipality_key

),

by_region as (

    select
        year,
        planning_region,
        sum(new_clients) as new_clients,
        sum(case when age_group <> '18_64' then new_clients else 0 end) as new_clients_65plus,
        sum(case when age_group in ('80_89', '90_plus') then new_clients else 0 end) as new_clients_80plus,
        sum(new_clients * case age_group
            when '18_64' then 41.0 when '65_79' then 72.0 when '80_89' then 85.0 when '90_plus' then 92.0 end)
            as new_client_years,
        sum(clients_year_end) as clients_year_end,
        sum(case when age_group in ('80_89', '90_plus') then clients_year_end else 0 end) as clients_year_end_80plus
    from clients
    group by year, planning_region

)

select
    cast(year as integer) as year,
    cast(planning_region as {{ dbt.type_string() }}) as planning_region,
    cast(new_clients as integer) as new_clients,
    cast(new_clients_65plus as integer) as new_clients_65plus,
    cast(new_clients_80plus as integer) as new_clients_80plus,
    cast(case when new_clients > 0 then cast(new_clients_65plus as {{ lvsocial.type_double() }}) / new_clients end
        as {{ lvsocial.type_double() }}) as share_new_65plus,
    cast(case when new_clients > 0 then cast(new_clients_80plus as {{ lvsocial.type_double() }}) / new_clients end
        as {{ lvsocial.type_double() }}) as share_new_80plus,
    cast(case when new_clients > 0 then cast(new_client_years as {{ lvsocial.type_double() }}) / new_clients end
        as {{ lvsocial.type_double() }}) as mean_age_new_clients,
    cast(clients_year_end as integer) as clients_year_end,
    cast(case when clients_year_end > 0
        then cast(clients_year_end_80plus as {{ lvsocial.type_double() }}) / clients_year_end end
        as {{ lvsocial.type_double() }}) as share_year_end_80plus
from by_region
