-- What changed in the register between two consecutive snapshots, one row per change of one record (see the yml
-- and docs/register.md). A record is followed by int_registry_records_identified; rewording a service, rewriting
-- an address (with or without municipality and postcode), case, quotes and the 2021 reform change no key and no
-- compared value, so they make no row.
with

records as (

    select
        r.snapshot_date,
        r.source_file,
        r.source_row,
        r.register_number,
        r.service_code,
        r.current_municipality_key,
        r.status,
        r.capacity,
        r.provider_name,
        {{ lvsocial.provider_name_key('r.provider_name') }} as provider_name_key,
        r.address,
        r.place_key,
        r.address_code,
        i.record_key,
        i.previous_snapshot_date,
        i.previous_source_file,
        i.previous_source_row
    from {{ ref('int_registry_records_conformed') }} as r
    inner join {{ ref('int_registry_records_identified') }} as i
        on i.snapshot_date = r.snapshot_date
        and i.source_file = r.source_file
        and i.source_row = r.source_row

),

snapshots as (

    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date,
        lead(snapshot_date) over (order by snapshot_date) as next_snapshot_date
    from (select distinct snapshot_date from records) as d

),

pairs as (

    select
        c.snapshot_date,
        c.previous_snapshot_date,
        c.register_number,
        c.record_key,
        c.service_code,
        c.current_municipality_key,
        c.source_file,
        c.source_row,
        p.status as old_status,
        c.status as new_status,
        p.provider_name as old_name,
        c.provider_name as new_name,
        p.provider_name_key as old_name_key,
        c.provider_name_key as new_name_key,
        p.capacity as old_capacity,
        c.capacity as new_capacity,
        p.address as old_address,
        c.address as new_address,
        p.place_key is distinct from c.place_key
            and (p.address_code is null or c.address_code is null or p.address_code <> c.address_code) as is_moved
    from records as c
    inner join records as p
        on p.snapshot_date = c.previous_snapshot_date
        and p.source_file = c.previous_source_file
        and p.source_row = c.previous_source_row

),

registered as (

    select
        c.snapshot_date,
        s.previous_snapshot_date,
        c.register_number,
        c.record_key,
        c.service_code,
        c.current_municipality_key,
        'registered' as change_type,
        cast(null as {{ dbt.type_string() }}) as old_value,
        c.status as new_value,
        c.source_file,
        c.source_row
    from records as c
    inner join snapshots as s on s.snapshot_date = c.snapshot_date
    where c.previous_snapshot_date is null and s.previous_snapshot_date is not null

),

continued as (

    select distinct previous_snapshot_date, previous_source_file, previous_source_row
    from records
    where previous_snapshot_date is not null

),

removed as (

    select
        s.next_snapshot_date as snapshot_date,
        p.snapshot_date as previous_snapshot_date,
        p.register_number,
        p.record_key,
        p.service_code,
        p.current_municipality_key,
        'removed' as change_type,
        p.status as old_value,
        cast(null as {{ dbt.type_string() }}) as new_value,
        p.source_file,
        p.source_row
    from records as p
    inner join snapshots as s on s.snapshot_date = p.snapshot_date
    left join continued as c
        on c.previous_snapshot_date = p.snapshot_date
        and c.previous_source_file = p.source_file
        and c.previous_source_row = p.source_row
    where s.next_snapshot_date is not null and c.previous_source_row is null

),

changed as (

    select
        snapshot_date, previous_snapshot_date, register_number, record_key, service_code, current_municipality_key,
        'status_changed' as change_type, old_status as old_value, new_status as new_value, source_file, source_row
    from pairs
    where old_status <> new_status

    union all

    select
        snapshot_date, previous_snapshot_date, register_number, record_key, service_code, current_municipality_key,
        'renamed', old_name, new_name, source_file, source_row
    from pairs
    where old_name_key <> new_name_key

    union all

    select
        snapshot_date, previous_snapshot_date, register_number, record_key, service_code, current_municipality_key,
        'moved', old_address, new_address, source_file, source_row
    from pairs
    where is_moved

    union all

    select
        snapshot_date, previous_snapshot_date, register_number, record_key, service_code, current_municipality_key,
        'capacity_changed', cast(old_capacity as {{ dbt.type_string() }}),
        cast(new_capacity as {{ dbt.type_string() }}), source_file, source_row
    from pairs
    where old_capacity <> new_capacity

),

all_changes as (

    select * from registered
    union all
    select * from removed
    union all
    select * from changed

),

services as (

    select service_key, service_code from {{ ref('dim_service') }}

)

select
    cast(a.snapshot_date as date) as snapshot_date,
    cast(a.previous_snapshot_date as date) as previous_snapshot_date,
    cast(a.register_number as integer) as register_number,
    cast(a.record_key as {{ lvsocial.type_varchar() }}) as record_key,
    cast(s.service_key as {{ lvsocial.type_varchar() }}) as service_key,
    cast(a.current_municipality_key as {{ lvsocial.type_varchar() }}) as current_municipality_key,
    cast(a.change_type as {{ lvsocial.type_varchar() }}) as change_type,
    cast(a.old_value as {{ lvsocial.type_varchar() }}) as old_value,
    cast(a.new_value as {{ lvsocial.type_varchar() }}) as new_value,
    cast(a.source_file as {{ lvsocial.type_varchar() }}) as source_file,
    cast(a.source_row as integer) as source_row
from all_changes as a
left join services as s on s.service_code = a.service_code
