-- Every service wording the register has used, folded, with how the one classifier (classified_service_names)
-- classifies it and how often it occurs: the record counts behind the share of the register that is classified,
-- and which exact name or keyword rule each wording owes its type to. Counted from staging, so it covers every
-- snapshot loaded, whatever the incremental models rebuilt.
with

written as (

    -- as written, per snapshot: a few thousand rows however many records the snapshots hold
    select
        service_name,
        snapshot_date,
        count(*) as records
    from {{ ref('stg_registry__provider_services') }}
    group by service_name, snapshot_date

),

folded as (

    select
        {{ lvsocial.service_name_key('service_name') }} as service_name_key,
        service_name,
        snapshot_date,
        records
    from written

),

classes as (

    {{ lvsocial.classified_service_names('folded') }}

),

counted as (

    select
        service_name_key,
        min(service_name) as service_name,
        count(distinct service_name) as wordings,
        sum(records) as records,
        count(distinct snapshot_date) as snapshots,
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date
    from folded
    group by service_name_key

)

select
    n.service_name_key,
    n.service_name,
    n.wordings,
    coalesce(c.service_code, 'unmapped') as service_code,
    coalesce(c.classified_by, 'unmapped') as classified_by,
    c.rule_priority,
    n.records,
    n.snapshots,
    n.first_snapshot_date,
    n.last_snapshot_date
from counted as n
left join classes as c on c.service_name_key = n.service_name_key
