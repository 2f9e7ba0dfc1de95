-- Register records and distinct provider units per snapshot × planning region (today's map) × service report
-- group × status: the series of the seed presentation's register charts.
select
    f.snapshot_date,
    m.planning_region,
    s.report_group,
    s.report_group_lv,
    s.care_setting,
    f.status,
    count(*) as records,
    count(distinct f.register_number) as providers
from {{ ref('fct_provider_services') }} as f
left join {{ ref('dim_municipality') }} as m on m.municipality_key = f.current_municipality_key
left join {{ ref('dim_service') }} as s on s.service_key = f.service_key
group by f.snapshot_date, m.planning_region, s.report_group, s.report_group_lv, s.care_setting, f.status
