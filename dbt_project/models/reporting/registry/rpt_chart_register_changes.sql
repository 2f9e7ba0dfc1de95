-- The report's chart of what changed in the register: changes per month × change type, all regions and groups.
select
    month,
    change_type,
    sum(changes) as changes
from {{ ref('rpt_register_changes_by_month') }}
group by month, change_type
