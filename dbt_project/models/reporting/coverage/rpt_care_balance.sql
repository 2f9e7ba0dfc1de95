-- The balance of institutional long-term care and community-based services (the seed's "predominance of long-term
-- institutions over community services") per year × planning region on today's map: from the register, the
-- records providing and their places in the year's first snapshot (the state at its start); from the ministry's
-- annual statistics, the year's clients. Care settings are dim_service's (institutional / community; `other` is
-- left out). The ratio is institutional to community, and its change the difference from the year before.
with

register as (

    select
        cast(extract(year from f.snapshot_date) as integer) as year,
        f.snapshot_date,
        m.planning_region,
        s.care_setting,
        f.capacity
    from {{ ref('fct_provider_services') }} as f
    inner join {{ ref('dim_service') }} as s on s.service_key = f.service_key
    inner join {{ ref('dim_municipality') }} as m on m.municipality_key = f.current_municipality_key
    where f.status = 'providing' and s.care_setting in ('institutional', 'community')

),

first_snapshots as (

    select year, min(snapshot_date) as snapshot_date from register group by year

),

register_by_region as (

    select
        r.year,
        r.snapshot_date,
        r.planning_region,
        sum(case when r.care_setting = 'institutional' then 1 else 0 end) as institutional_records,
        sum(case when r.care_setting = 'community' then 1 else 0 end) as community_records,
        sum(case when r.care_setting = 'institutional' then r.capacity else 0 end) as institutional_places,
        sum(case when r.care_setting = 'community' then r.capacity else 0 end) as community_places
    from register as r
    inner join first_snapshots as fs on fs.snapshot_date = r.snapshot_date
    group by r.year, r.snapshot_date, r.planning_region

),

statistics_by_region as (

    select
        f.year,
        m.planning_region,
        sum(case when s.care_setting = 'institutional' then f.clients else 0 end) as institutional_clients,
        sum(case when s.care_setting = 'community' then f.clients else 0 end) as community_clients
    from {{ ref('fct_social_service_statistics') }} as f
    inner join {{ ref('dim_service') }} as s on s.service_key = f.service_key
    inner join {{ ref('dim_municipality') }} as m on m.municipality_key = f.current_municipality_key
    where s.care_setting in ('institutional', 'community')
    group by f.year, m.planning_region

),

grid as (

    select y.year, r.planning_region
    from (
        select year from register_by_region
        union
        select year from statistics_by_region
    ) as y
    cross join (select distinct planning_region from {{ ref('dim_municipality') }} where is_current) as r

),

balance as (

    select
        g.year,
        g.planning_region,
        r.snapshot_date as register_snapshot_date,
        cast(coalesce(r.institutional_records, 0) as integer) as institutional_records,
        cast(coalesce(r.community_records, 0) as integer) as community_records,
        cast(coalesce(r.institutional_places, 0) as integer) as institutional_places,
        cast(coalesce(r.community_places, 0) as integer) as community_places,
        cast(st.institutional_clients as integer) as institutional_clients,
        cast(st.community_clients as integer) as community_clients,
        case when r.community_places > 0
             then cast(round(1.0 * r.institutional_places / r.community_places, 3) as {{ lvsocial.type_double() }})
        end as places_ratio,
        case when st.community_clients > 0
             then cast(round(1.0 * st.institutional_clients / st.community_clients, 3) as {{ lvsocial.type_double() }})
        end as clients_ratio
    from grid as g
    left join register_by_region as r on r.year = g.year and r.planning_region = g.planning_region
    left join statistics_by_region as st on st.year = g.year and st.planning_region = g.planning_region

)

select
    *,
    cast(places_ratio - lag(places_ratio) over (partition by planning_region order by year)
         as {{ lvsocial.type_double() }}) as places_ratio_change,
    cast(clients_ratio - lag(clients_ratio) over (partition by planning_region order by year)
         as {{ lvsocial.type_double() }}) as clients_ratio_change
from balance
