-- EU-planned services, defined here once, per programming period × current municipality: the services EU-funds
-- projects planned to create (`new_services`) or improve, counted once per project and service (the APIA
-- workbook's planned services). A NULL municipality is a beneficiary whose place was not resolved.
select
    f.programming_period,
    cast({{ dbt.concat(["substring(f.programming_period, 1, 4)", "'-01-01'"]) }} as date) as period_start,
    f.current_municipality_key,
    m.name_lv as municipality_name,
    m.planning_region,
    sum(case when f.novelty = 'new' then 1 else 0 end) as new_services,
    sum(case when f.novelty = 'new' then 0 else 1 end) as improved_services,
    count(distinct f.project_number) as projects
from {{ ref('fct_esf_planned_services') }} as f
left join {{ ref('dim_municipality') }} as m on m.municipality_key = f.current_municipality_key
group by f.programming_period, f.current_municipality_key, m.name_lv, m.planning_region
