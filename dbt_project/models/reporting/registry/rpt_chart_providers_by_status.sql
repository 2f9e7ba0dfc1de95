-- The report's chart of register records by status (stacked), per register snapshot.
select
    snapshot_date,
    status,
    sum(records) as records
from {{ ref('rpt_register_by_region_and_type') }}
group by snapshot_date, status
