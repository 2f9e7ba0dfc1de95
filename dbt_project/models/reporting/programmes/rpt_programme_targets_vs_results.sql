-- Programme targets against what was achieved, per result indicator (the 2012 presentation's plan to compare the
-- regional programmes' result indicators with what EU projects achieved). The achieved figure is counted as the
-- indicator's unit says, in its planning region on today's map: `providers` (provider units) and `places` of the
-- records providing the service in the register's first snapshot of the target year; `clients` of the service in
-- the annual statistics of the target year; `projects` of the EU funds planning the service, started by the end of
-- the target year. Where the target year lies beyond the latest data of that source, the latest data stand in and
-- the target is `not_due`; otherwise it is `met` when achieved reaches the target (the targets are increases) and
-- `not_met` when not. `gap` is target minus achieved.
with

targets as (

    select * from {{ ref('fct_programme_targets') }}

),

regions as (

    select municipality_key, planning_region from {{ ref('dim_municipality') }}

),

register as (

    select
        f.snapshot_date,
        cast(extract(year from f.snapshot_date) as integer) as year,
        f.service_key,
        r.planning_region,
        f.register_number,
        f.capacity
    from {{ ref('fct_provider_services') }} as f
    inner join regions as r on r.municipality_key = f.current_municipality_key
    where f.status = 'providing'

),

snapshots as (

    select distinct snapshot_date, cast(extract(year from snapshot_date) as integer) as year
    from {{ ref('fct_provider_services') }}

),

-- the snapshot measured for each target: the first of the target year, else the latest one before it
register_snapshot as (

    select
        t.target_key,
        coalesce(
            min(case when s.year = t.target_year then s.snapshot_date end),
            max(case when s.year < t.target_year then s.snapshot_date end)
        ) as snapshot_date
    from targets as t
    cross join snapshots as s
    where t.unit in ('providers', 'places')
    group by t.target_key

),

register_achieved as (

    select
        t.target_key,
        max(rs.snapshot_date) as measured_on,
        count(distinct r.register_number) as providers,
        coalesce(sum(r.capacity), 0) as places
    from targets as t
    inner join register_snapshot as rs on rs.target_key = t.target_key
    left join register as r
        on r.snapshot_date = rs.snapshot_date
        and r.service_key = t.service_key
        and r.planning_region = t.planning_region
    group by t.target_key

),

statistics as (

    select f.year, f.service_key, r.planning_region, f.clients
    from {{ ref('fct_social_service_statistics') }} as f
    inner join regions as r on r.municipality_key = f.current_municipality_key

),

statistics_year as (

    select
        t.target_key,
        coalesce(
            max(case when y.year = t.target_year then y.year end),
            max(case when y.year < t.target_year then y.year end)
        ) as year
    from targets as t
    cross join (select distinct year from statistics) as y
    where t.unit = 'clients'
    group by t.target_key

),

statistics_achieved as (

    select
        t.target_key,
        max(sy.year) as measured_year,
        coalesce(sum(s.clients), 0) as clients
    from targets as t
    inner join statistics_year as sy on sy.target_key = t.target_key
    left join statistics as s
        on s.year = sy.year
        and s.service_key = t.service_key
        and s.planning_region = t.planning_region
    group by t.target_key

),

projects as (

    select
        p.project_number,
        cast(extract(year from p.start_date) as integer) as start_year,
        ps.service_key,
        r.planning_region
    from {{ ref('fct_esf_planned_services') }} as ps
    inner join {{ ref('fct_esf_projects') }} as p on p.project_number = ps.project_number
    inner join regions as r on r.municipality_key = ps.current_municipality_key

),

projects_latest as (

    select max(cast(extract(year from start_date) as integer)) as year from {{ ref('fct_esf_projects') }}

),

projects_achieved as (

    select
        t.target_key,
        case when t.target_year <= l.year then t.target_year else l.year end as measured_year,
        count(distinct case when p.start_year <= t.target_year then p.project_number end) as projects
    from targets as t
    cross join projects_latest as l
    left join projects as p
        on p.service_key = t.service_key
        and p.planning_region = t.planning_region
    where t.unit = 'projects'
    group by t.target_key, t.target_year, l.year

),

measured as (

    select
        t.*,
        case t.unit
            when 'providers' then cast(extract(year from ra.measured_on) as integer)
            when 'places' then cast(extract(year from ra.measured_on) as integer)
            when 'clients' then sa.measured_year
            when 'projects' then pa.measured_year
        end as achieved_year,
        case when t.unit in ('providers', 'places') then ra.measured_on end as achieved_snapshot_date,
        case t.unit
            when 'providers' then ra.providers
            when 'places' then ra.places
            when 'clients' then sa.clients
            when 'projects' then pa.projects
        end as achieved
    from targets as t
    left join register_achieved as ra on ra.target_key = t.target_key
    left join statistics_achieved as sa on sa.target_key = t.target_key
    left join projects_achieved as pa on pa.target_key = t.target_key

)

select
    cast(target_key as {{ dbt.type_string() }}) as target_key,
    cast(planning_region as {{ dbt.type_string() }}) as planning_region,
    cast(programme as {{ dbt.type_string() }}) as programme,
    cast(period as {{ dbt.type_string() }}) as period,
    cast(indicator as {{ dbt.type_string() }}) as indicator,
    cast(service_code as {{ dbt.type_string() }}) as service_code,
    cast(unit as {{ dbt.type_string() }}) as unit,
    cast(baseline_value as {{ lvsocial.type_double() }}) as baseline_value,
    cast(baseline_year as integer) as baseline_year,
    cast(target_value as {{ lvsocial.type_double() }}) as target_value,
    cast(target_year as integer) as target_year,
    cast(achieved_year as integer) as achieved_year,
    cast(achieved_snapshot_date as date) as achieved_snapshot_date,
    cast(achieved as {{ lvsocial.type_double() }}) as achieved,
    cast(target_value - achieved as {{ lvsocial.type_double() }}) as gap,
    cast(case
        when achieved_year is null or achieved_year < target_year then 'not_due'
        when achieved >= target_value then 'met'
        else 'not_met'
    end as {{ dbt.type_string() }}) as status
from measured
