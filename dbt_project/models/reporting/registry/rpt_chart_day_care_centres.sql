-- The report's day-care chart, left: centres providing or planning the service, per register snapshot.
select
    snapshot_date,
    status,
    sum(providers) as centres
from {{ ref('rpt_register_by_service') }}
where service_code = 'day_care_centre' and status <> 'stopped'
group by snapshot_date, status
