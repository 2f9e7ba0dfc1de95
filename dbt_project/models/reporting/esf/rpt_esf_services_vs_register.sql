-- Per current municipality (today's map) × service: the services EU-funded projects planned (new / improved) beside
-- the providers registered for that service at the latest register snapshot — where EU money planned a service
-- that exists now, where it planned one that is not registered, and where services exist without such a plan.
with

projects as (

    select * from {{ ref('fct_esf_projects') }}

),

planned as (

    select
        f.current_municipality_key,
        f.service_key,
        count(distinct f.project_number) as esf_projects,
        sum(case when f.novelty = 'new' then 1 else 0 end) as planned_new,
        sum(case when f.novelty = 'improved' then 1 else 0 end) as planned_improved,
        sum(case when f.is_innovative then 1 else 0 end) as planned_innovative,
        sum(f.planned_clients) as planned_clients,
        min(p.start_date) as first_project_start,
        max(p.end_date) as last_project_end
    from {{ ref('fct_esf_planned_services') }} as f
    inner join projects as p on p.project_number = f.project_number
    where f.current_municipality_key is not null
    group by f.current_municipality_key, f.service_key

),

latest as (

    select max(snapshot_date) as snapshot_date from {{ ref('fct_provider_services') }}

),

registered as (

    select
        r.current_municipality_key,
        r.service_key,
        count(distinct case when r.status = 'providing' then r.register_number end) as providers_providing,
        count(distinct case when r.status = 'planning' then r.register_number end) as providers_planning,
        sum(case when r.status = 'providing' then 1 else 0 end) as records_providing
    from {{ ref('fct_provider_services') }} as r
    inner join latest as l on l.snapshot_date = r.snapshot_date
    where r.current_municipality_key is not null
    group by r.current_municipality_key, r.service_key

),

joined as (

    select
        coalesce(p.current_municipality_key, g.current_municipality_key) as current_municipality_key,
        coalesce(p.service_key, g.service_key) as service_key,
        coalesce(p.esf_projects, 0) as esf_projects,
        coalesce(p.planned_new, 0) as planned_new,
        coalesce(p.planned_improved, 0) as planned_improved,
        coalesce(p.planned_innovative, 0) as planned_innovative,
        p.planned_clients,
        p.first_project_start,
        p.last_project_end,
        coalesce(g.providers_providing, 0) as providers_providing,
        coalesce(g.providers_planning, 0) as providers_planning,
        coalesce(g.records_providing, 0) as records_providing
    from planned as p
    full outer join registered as g
        on g.current_municipality_key = p.current_municipality_key
        and g.service_key = p.service_key

)

select
    j.current_municipality_key,
    m.atvk_code,
    m.name_lv as municipality_name,
    m.planning_region,
    j.service_key,
    s.service_code,
    s.name_lv as service_name_lv,
    s.name_en as service_name_en,
    s.care_setting,
    j.esf_projects,
    j.planned_new,
    j.planned_improved,
    j.planned_innovative,
    j.planned_clients,
    j.first_project_start,
    j.last_project_end,
    l.snapshot_date as register_snapshot_date,
    j.providers_providing,
    j.providers_planning,
    j.records_providing,
    case
        when j.esf_projects > 0 and j.providers_providing > 0 then 'planned_and_provided'
        when j.esf_projects > 0 then 'planned_not_provided'
        when j.providers_providing > 0 then 'provided_without_esf_plan'
        else 'registered_as_planning_only'
    end as outcome
from joined as j
cross join latest as l
left join {{ ref('dim_municipality') }} as m on m.municipality_key = j.current_municipality_key
left join {{ ref('dim_service') }} as s on s.service_key = j.service_key
