select
    cast(year as integer) as year,
    cast(municipality_key as {{ dbt.type_string() }}) as municipality_key,
    cast(current_municipality_key as {{ dbt.type_string() }}) as current_municipality_key,
    cast(atvk_code as {{ dbt.type_string() }}) as atvk_code,
    cast(age_group as {{ dbt.type_string() }}) as age_group,
    cast(clients_year_end as integer) as clients_year_end,
    cast(new_clients as integer) as new_clients,
    cast(age_group_as_written as {{ dbt.type_string() }}) as age_group_as_written,
    cast(municipality_as_written as {{ dbt.type_string() }}) as municipality_as_written,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_row as integer) as source_row
from {{ ref('int_long_term_care_clients_conformed') }}
