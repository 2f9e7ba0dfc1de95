-- Planned services of the EU-funds projects with the service classified into the register's taxonomy (the same
-- classifier as the register, classified_service_names) and the project's round and municipalities attached. A
-- name the taxonomy does not know stays, as `unmapped`, and is reported by a test.
with

services as (

    select * from {{ ref('stg_esf__apia_planned_services') }}

),

projects as (

    select * from {{ ref('int_esf_projects_conformed') }}

),

service_names as (

    {{ lvsocial.classified_service_names('services') }}

)

select
    s.*,
    {{ lvsocial.surrogate_key(['s.project_number', 's.service_name_key', 's.novelty']) }} as planned_service_key,
    coalesce(n.service_code, 'unmapped') as service_code,
    n.service_code is not null as is_service_mapped,
    p.round,
    p.start_date as project_start_date,
    p.municipality_key,
    p.current_municipality_key
from services as s
left join projects as p
    on p.project_number = s.project_number
    and p.programming_period = s.programming_period
left join service_names as n on n.service_name_key = s.service_name_key
