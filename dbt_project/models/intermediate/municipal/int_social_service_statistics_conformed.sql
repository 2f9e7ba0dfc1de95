-- Social-service statistics on the municipality map and the service taxonomy: the ATVK code resolved to the
-- version valid in the row's year (and to today's map), the form's service line to a canonical service and its
-- provision (own staff / purchased / not split, as the form before 2017 was), spending in EUR with the original
-- beside. A line unknown to statistics_service_map falls back to the register's classifier
-- (classified_service_names: service_name_map, then service_name_rules; provision not split), and an unknown one is
-- kept as `unmapped`.
with

statistics as (

    select * from {{ ref('stg_budgets__service_statistics') }}

),

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

),

rates as (

    select currency, lvl_per_eur from {{ ref('currency_rates') }}

),

statistics_lines as (

    select distinct
        {{ lvsocial.service_name_key('raw_name') }} as service_name_key,
        service_code,
        provision
    from {{ ref('statistics_service_map') }}

),

register_names as (

    {{ lvsocial.classified_service_names('statistics') }}

),

matched as (

    {{ lvsocial.resolve_municipality('statistics', ['source_file', 'source_row'],
                                     atvk_code='r.atvk_code', year='r.year') }}

)

select
    s.year,
    s.atvk_code,
    m.municipality_key,
    mv.current_municipality_key,
    coalesce(l.service_code, n.service_code, 'unmapped') as service_code,
    coalesce(l.provision, 'not_split') as provision,
    coalesce(l.service_code, n.service_code) is not null as is_service_mapped,
    s.service_name,
    s.clients,
    s.currency as original_currency,
    s.expenditure_original,
    {{ lvsocial.to_eur('s.expenditure_original', 'r') }} as expenditure_eur,
    s.municipality_as_written,
    s.source_file,
    s.source_row
from statistics as s
left join matched as m
    on m.source_file = s.source_file
    and m.source_row = s.source_row
left join municipalities as mv on mv.municipality_key = m.municipality_key
left join rates as r on r.currency = s.currency
left join statistics_lines as l on l.service_name_key = s.service_name_key
left join register_names as n on n.service_name_key = s.service_name_key and l.service_name_key is null
