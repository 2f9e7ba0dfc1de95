-- Provider units and register records per snapshot × planning region (today's map): how many units are active
-- (providing or planning at least one service) in each region, the figure the seed documents give for Zemgale.
-- A unit counts once per region however many services and addresses it registers there.
with

records as (

    select * from {{ ref('fct_provider_services') }}

),

municipalities as (

    select municipality_key, planning_region from {{ ref('dim_municipality') }}

)

select
    r.snapshot_date,
    m.planning_region,
    count(distinct case when r.status <> 'stopped' then r.register_number end) as providers_active,
    count(distinct case when r.status = 'providing' then r.register_number end) as providers_providing,
    count(distinct case when r.status = 'planning' then r.register_number end) as providers_planning,
    count(*) as records,
    sum(case when r.status = 'providing' then 1 else 0 end) as records_providing,
    sum(case when r.status = 'planning' then 1 else 0 end) as records_planning,
    sum(case when r.status = 'stopped' then 1 else 0 end) as records_stopped,
    sum(case when r.status = 'providing' then r.capacity end) as places_providing
from records as r
left join municipalities as m on m.municipality_key = r.current_municipality_key
group by r.snapshot_date, m.planning_region
