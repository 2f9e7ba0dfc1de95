-- The report's chart of institutional against community-based services: records providing and their places, per
-- register snapshot × care setting (services of neither setting are left out).
select
    snapshot_date,
    care_setting,
    sum(records) as records,
    sum(places) as places
from {{ ref('rpt_register_by_service') }}
where status = 'providing' and care_setting in ('institutional', 'community')
group by snapshot_date, care_setting
