-- The report's long-term care chart (bars and line): institutions providing the service and their places, per
-- register snapshot.
select
    snapshot_date,
    sum(providers) as institutions,
    sum(places) as places
from {{ ref('rpt_register_by_service') }}
where service_code = 'ltc_institution' and status = 'providing'
group by snapshot_date
