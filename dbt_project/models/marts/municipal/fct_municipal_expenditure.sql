select
    cast(year as integer) as year,
    cast(municipality_key as {{ dbt.type_string() }}) as municipality_key,
    cast(current_municipality_key as {{ dbt.type_string() }}) as current_municipality_key,
    cast(atvk_code as {{ dbt.type_string() }}) as atvk_code,
    cast(function_code as {{ dbt.type_string() }}) as function_code,
    cast(function_name_lv as {{ dbt.type_string() }}) as function_name_lv,
    cast(is_group_total as boolean) as is_group_total,
    cast(planned_eur as decimal(18, 2)) as planned_eur,
    cast(executed_eur as decimal(18, 2)) as executed_eur,
    cast(original_currency as {{ dbt.type_string() }}) as original_currency,
    cast(planned_original as decimal(18, 2)) as planned_original,
    cast(executed_original as decimal(18, 2)) as executed_original,
    cast(municipality_as_written as {{ dbt.type_string() }}) as municipality_as_written,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_row as integer) as source_row
from {{ ref('int_municipal_expenditure_conformed') }}
