-- The report's chart of shares by type of service: register records per snapshot × report group (every status)
-- and their percentage of the snapshot's records.
with

by_group as (

    select
        snapshot_date,
        report_group_lv,
        sum(records) as records
    from {{ ref('rpt_register_by_region_and_type') }}
    group by snapshot_date, report_group_lv

)

select
    snapshot_date,
    report_group_lv,
    records,
    cast(100 * records as {{ lvsocial.type_double() }})
        / cast(sum(records) over (partition by snapshot_date) as {{ lvsocial.type_double() }}) as share_percent
from by_group
