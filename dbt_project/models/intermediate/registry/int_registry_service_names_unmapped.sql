-- The audit of unknown register wording: one row per folded service wording that neither service_name_map nor a
-- rule of service_name_rules classifies, so its records count as `unmapped`. Empty when the register is fully
-- classified; the Dagster check `registry_service_names_classified` warns and names these rows otherwise.
select
    service_name,
    service_name_key,
    wordings,
    records,
    snapshots,
    first_snapshot_date,
    last_snapshot_date
from {{ ref('int_registry_service_names_classified') }}
where classified_by = 'unmapped'
