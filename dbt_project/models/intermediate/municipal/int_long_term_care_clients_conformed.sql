-- Clients of long-term care by age group on the municipality map: the filed ATVK code resolved to its municipality
-- version in the year (resolve_municipality) and to today's municipality.
with

clients as (

    select * from {{ ref('stg_budgets__long_term_care_clients') }}

),

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

),

matched as (

    {{ lvsocial.resolve_municipality('clients', ['source_file', 'source_row'],
                                     atvk_code='r.atvk_code', year='r.year') }}

)

select
    c.year,
    c.atvk_code,
    m.municipality_key,
    mv.current_municipality_key,
    c.age_group,
    c.age_group_as_written,
    c.clients_year_end,
    c.new_clients,
    c.municipality_as_written,
    c.source_file,
    c.source_row
from clients as c
left join matched as m
    on m.source_file = c.source_file
    and m.source_row = c.source_row
left join municipalities as mv on mv.municipality_key = m.municipality_key
