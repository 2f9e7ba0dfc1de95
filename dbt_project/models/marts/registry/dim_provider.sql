select
    cast(provider_key as {{ dbt.type_string() }}) as provider_key,
    cast(register_number as integer) as register_number,
    cast(version_number as integer) as version_number,
    cast(provider_name as {{ dbt.type_string() }}) as provider_name,
    cast(legal_status as {{ dbt.type_string() }}) as legal_status,
    cast(provider_sector as {{ dbt.type_string() }}) as provider_sector,
    cast(is_natural_person as boolean) as is_natural_person,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(is_current as boolean) as is_current
from {{ ref('int_provider_versions_derived') }}
