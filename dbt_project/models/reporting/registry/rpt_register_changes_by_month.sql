-- Register changes per month × planning region (today's map) × service group × change type: "what changed in the
-- register, month by month". A change counts in the month of the snapshot that first shows it.
with

changes as (

    select * from {{ ref('fct_register_changes') }}

),

municipalities as (

    select municipality_key, planning_region from {{ ref('dim_municipality') }}

),

services as (

    select service_key, report_group from {{ ref('dim_service') }}

)

select
    cast({{ dbt.date_trunc('month', 'c.snapshot_date') }} as date) as month,
    m.planning_region,
    s.report_group as service_group,
    c.change_type,
    count(*) as changes
from changes as c
left join municipalities as m on m.municipality_key = c.current_municipality_key
left join services as s on s.service_key = c.service_key
group by {{ dbt.date_trunc('month', 'c.snapshot_date') }}, m.planning_region, s.report_group, c.change_type
