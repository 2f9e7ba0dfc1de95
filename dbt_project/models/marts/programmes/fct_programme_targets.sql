-- One row per result indicator of a regional development programme, on dim_service's service types.
select
    cast({{ lvsocial.surrogate_key(['t.planning_region', 't.programme', 't.indicator', 't.service_code']) }}
        as {{ dbt.type_string() }}) as target_key,
    cast(t.planning_region as {{ dbt.type_string() }}) as planning_region,
    cast(t.programme as {{ dbt.type_string() }}) as programme,
    cast(t.period as {{ dbt.type_string() }}) as period,
    cast(t.priority as {{ dbt.type_string() }}) as priority,
    cast(t.indicator as {{ dbt.type_string() }}) as indicator,
    cast(s.service_key as {{ dbt.type_string() }}) as service_key,
    cast(t.service_code as {{ dbt.type_string() }}) as service_code,
    cast(t.unit as {{ dbt.type_string() }}) as unit,
    cast(t.baseline_value as {{ lvsocial.type_double() }}) as baseline_value,
    cast(t.baseline_year as integer) as baseline_year,
    cast(t.target_value as {{ lvsocial.type_double() }}) as target_value,
    cast(t.target_year as integer) as target_year,
    cast(t.source_file as {{ dbt.type_string() }}) as source_file,
    cast(t.source_row as integer) as source_row
from {{ ref('stg_programmes__targets') }} as t
left join {{ ref('dim_service') }} as s on s.service_code = t.service_code
