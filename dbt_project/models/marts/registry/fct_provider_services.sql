{{ config(materialized='incremental', **lvsocial.snapshot_incremental_config()) }}

with

records as (

    select * from {{ ref('int_registry_records_conformed') }}
    {% if is_incremental() %}
    where {{ lvsocial.registry_snapshots_to_build(ref('int_registry_records_conformed'), 'source_file_sha256') }}
    {% endif %}

),

identities as (

    select * from {{ ref('int_registry_records_identified') }}
    {% if is_incremental() %}
    where {{ lvsocial.registry_snapshots_to_build(ref('int_registry_records_conformed'), 'source_file_sha256') }}
    {% endif %}

),

providers as (

    select * from {{ ref('int_provider_versions_derived') }}

),

places as (

    select * from {{ ref('int_registry_records_placed') }}
    {% if is_incremental() %}
    where {{ lvsocial.registry_snapshots_to_build(ref('int_registry_records_conformed'), 'source_file_sha256') }}
    {% endif %}

),

services as (

    select service_key, service_code from {{ ref('dim_service') }}

)

select
    cast(r.snapshot_date as date) as snapshot_date,
    cast(i.record_key as {{ lvsocial.type_varchar() }}) as record_key,
    cast(r.register_number as integer) as register_number,
    cast(p.provider_key as {{ lvsocial.type_varchar() }}) as provider_key,
    cast(s.service_key as {{ lvsocial.type_varchar() }}) as service_key,
    cast(r.municipality_key as {{ lvsocial.type_varchar() }}) as municipality_key,
    cast(r.current_municipality_key as {{ lvsocial.type_varchar() }}) as current_municipality_key,
    cast(r.status as {{ lvsocial.type_varchar() }}) as status,
    cast(r.capacity as integer) as capacity,
    cast(r.registered_on as date) as registered_on,
    cast(r.removed_on as date) as removed_on,
    cast(r.service_name as {{ lvsocial.type_varchar() }}) as service_name_as_written,
    cast(r.is_service_mapped as boolean) as is_service_mapped,
    cast(r.municipality_as_written as {{ lvsocial.type_varchar() }}) as municipality_as_written,
    cast(pl.territorial_unit as {{ lvsocial.type_varchar() }}) as territorial_unit,
    cast(pl.territorial_unit_type as {{ lvsocial.type_varchar() }}) as territorial_unit_type,
    cast(pl.territorial_unit_resolution as {{ lvsocial.type_varchar() }}) as territorial_unit_resolution,
    cast(r.service_form as {{ lvsocial.type_varchar() }}) as service_form,
    cast(r.client_groups as {{ lvsocial.type_varchar() }}) as client_groups,
    cast(r.source_format as {{ lvsocial.type_varchar() }}) as source_format,
    cast(r.source_file as {{ lvsocial.type_varchar() }}) as source_file,
    cast(r.source_row as integer) as source_row,
    cast(r.file_sha256 as {{ lvsocial.type_varchar() }}) as source_file_sha256
from records as r
inner join identities as i
    on i.snapshot_date = r.snapshot_date
    and i.source_file = r.source_file
    and i.source_row = r.source_row
left join providers as p
    on p.register_number = r.register_number
    and r.snapshot_date between p.valid_from and p.valid_to
left join places as pl
    on pl.snapshot_date = r.snapshot_date
    and pl.source_file = r.source_file
    and pl.source_row = r.source_row
left join services as s on s.service_code = r.service_code
