-- The report's coverage map: at the latest register snapshot, per current municipality × service group (home care,
-- day centres), the places per 1,000 inhabitants aged 65+ and the territorial units with the service, as
-- rpt_service_coverage gives them, with the municipality's square on the tile map (seed municipality_tiles: one
-- square per municipality in its approximate place, as no package installable here carries the municipal
-- boundaries) and its border flag.
select
    c.snapshot_date,
    c.current_municipality_key,
    m.atvk_code,
    c.name_lv,
    c.planning_region,
    c.is_border,
    c.service_group,
    c.providers,
    c.places,
    c.population_65plus,
    c.places_per_1000_65plus,
    c.territorial_units,
    c.territorial_units_with_service,
    t.tile_column,
    t.tile_row
from {{ ref('rpt_service_coverage') }} as c
inner join {{ ref('dim_municipality') }} as m on m.municipality_key = c.current_municipality_key
left join {{ ref('municipality_tiles') }} as t on t.atvk_code = m.atvk_code
where c.snapshot_date = (select max(snapshot_date) from {{ ref('rpt_service_coverage') }})
    and c.service_group in ('home_care', 'day_centres')
