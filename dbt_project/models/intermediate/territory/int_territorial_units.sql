-- The state cities, towns and parishes of the 2021 map (seed territorial_units), each with the municipality it lay
-- in in 2021, the current municipality that holds it today (Varakļānu's parishes lie in Madonas novads from
-- 1 July 2025) and the segment addresses write it as (macro address_segments).
with

units as (

    select * from {{ ref('territorial_units') }}

),

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

)

select
    {{ lvsocial.surrogate_key(['u.municipality_atvk_code', 'u.unit_name']) }} as territorial_unit_key,
    u.unit_name as territorial_unit,
    u.unit_type as territorial_unit_type,
    u.address_name,
    {{ lvsocial.address_segments('u.address_name') }} as address_segment,
    u.municipality_atvk_code,
    m.municipality_key,
    m.current_municipality_key
from units as u
inner join municipalities as m
    on m.atvk_code = u.municipality_atvk_code
    and m.valid_from = cast('2021-07-01' as date)
