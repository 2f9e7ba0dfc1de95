with

planned as (

    select * from {{ ref('int_esf_planned_services_classified') }}

),

services as (

    select service_key, service_code from {{ ref('dim_service') }}

)

select
    cast(p.planned_service_key as {{ dbt.type_string() }}) as planned_service_key,
    cast(p.project_number as {{ dbt.type_string() }}) as project_number,
    cast(p.programming_period as {{ dbt.type_string() }}) as programming_period,
    cast(p.round as integer) as round,
    cast(s.service_key as {{ dbt.type_string() }}) as service_key,
    cast(p.service_name as {{ dbt.type_string() }}) as service_name_as_written,
    cast(p.is_service_mapped as boolean) as is_service_mapped,
    cast(p.novelty as {{ dbt.type_string() }}) as novelty,
    cast(p.is_innovative as boolean) as is_innovative,
    cast(p.method as {{ dbt.type_string() }}) as method,
    cast(p.target_group as {{ dbt.type_string() }}) as target_group,
    cast(p.planned_clients as integer) as planned_clients,
    cast(p.municipality_key as {{ dbt.type_string() }}) as municipality_key,
    cast(p.current_municipality_key as {{ dbt.type_string() }}) as current_municipality_key,
    cast(p.source_file as {{ dbt.type_string() }}) as source_file,
    cast(p.source_row as integer) as source_row
from planned as p
left join services as s on s.service_code = p.service_code
