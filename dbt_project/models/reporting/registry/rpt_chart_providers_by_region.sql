-- The report's chart of providers per planning region: provider units providing or planning, per region (today's
-- map), at the latest register snapshot only.
select
    r.snapshot_date,
    r.planning_region,
    r.providers_active
from {{ ref('rpt_register_by_region') }} as r
where r.snapshot_date = (select max(snapshot_date) from {{ ref('rpt_register_by_region') }})
