-- Register records with the municipality resolved on the snapshot date (and harmonised to today's map) and the
-- service classified into the canonical taxonomy (which record each row belongs to: int_registry_records_identified). Records whose municipality or service cannot be resolved stay,
-- with NULL municipality keys or the `unmapped` service, and are reported by tests.
{{ config(materialized='incremental', **lvsocial.snapshot_incremental_config()) }}

with

records as (

    select * from {{ ref('stg_registry__provider_services') }}
    {% if is_incremental() %}
    where {{ lvsocial.registry_snapshots_to_build(ref('stg_registry__provider_services')) }}
    {% endif %}

),

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

),

service_names as (

    {{ lvsocial.classified_service_names('records') }}

),

matched as (

    {{ lvsocial.resolve_municipality('records', ['snapshot_date', 'source_file', 'source_row'],
                                     name_key='r.municipality_name_key', on_date='r.snapshot_date') }}

)

select
    r.*,
    m.municipality_key,
    mv.current_municipality_key,
    coalesce(s.service_code, 'unmapped') as service_code,
    s.service_code is not null as is_service_mapped
from records as r
left join matched as m
    on m.snapshot_date = r.snapshot_date
    and m.source_file = r.source_file
    and m.source_row = r.source_row
left join municipalities as mv on mv.municipality_key = m.municipality_key
left join service_names as s on s.service_name_key = r.service_name_key
