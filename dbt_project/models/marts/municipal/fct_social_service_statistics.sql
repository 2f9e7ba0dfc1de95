with

statistics as (

    select * from {{ ref('int_social_service_statistics_conformed') }}

),

services as (

    select service_key, service_code from {{ ref('dim_service') }}

)

select
    cast(s.year as integer) as year,
    cast(s.municipality_key as {{ dbt.type_string() }}) as municipality_key,
    cast(s.current_municipality_key as {{ dbt.type_string() }}) as current_municipality_key,
    cast(s.atvk_code as {{ dbt.type_string() }}) as atvk_code,
    cast(d.service_key as {{ dbt.type_string() }}) as service_key,
    cast(s.provision as {{ dbt.type_string() }}) as provision,
    cast(s.service_name as {{ dbt.type_string() }}) as service_name_as_written,
    cast(s.is_service_mapped as boolean) as is_service_mapped,
    cast(s.clients as integer) as clients,
    cast(s.expenditure_eur as decimal(18, 2)) as expenditure_eur,
    cast(s.original_currency as {{ dbt.type_string() }}) as original_currency,
    cast(s.expenditure_original as decimal(18, 2)) as expenditure_original,
    cast(s.municipality_as_written as {{ dbt.type_string() }}) as municipality_as_written,
    cast(s.source_file as {{ dbt.type_string() }}) as source_file,
    cast(s.source_row as integer) as source_row
from statistics as s
left join services as d on d.service_code = s.service_code
