select
    cast(year as integer) as year,
    cast(municipality_key as {{ dbt.type_string() }}) as municipality_key,
    cast(current_municipality_key as {{ dbt.type_string() }}) as current_municipality_key,
    cast(atvk_code as {{ dbt.type_string() }}) as atvk_code,
    cast(social_work_specialists as integer) as social_work_specialists,
    cast(other_staff as integer) as other_staff,
    cast(population as integer) as population,
    cast(specialists_per_1000 as {{ lvsocial.type_double() }}) as specialists_per_1000,
    cast(meets_norm as boolean) as meets_norm,
    cast(municipality_as_written as {{ dbt.type_string() }}) as municipality_as_written,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_row as integer) as source_row
from {{ ref('int_social_work_staffing_conformed') }}
