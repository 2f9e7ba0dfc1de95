select
    cast({{ lvsocial.surrogate_key(['service_code']) }} as {{ dbt.type_string() }}) as service_key,
    cast(service_code as {{ dbt.type_string() }}) as service_code,
    cast(name_lv as {{ dbt.type_string() }}) as name_lv,
    cast(name_en as {{ dbt.type_string() }}) as name_en,
    cast(law_kind as {{ dbt.type_string() }}) as law_kind,
    cast(care_setting as {{ dbt.type_string() }}) as care_setting,
    cast(report_group as {{ dbt.type_string() }}) as report_group,
    cast(report_group_lv as {{ dbt.type_string() }}) as report_group_lv
from {{ ref('service_types') }}
