select
    cast(municipality_key as {{ dbt.type_string() }}) as municipality_key,
    cast(m.atvk_code as {{ dbt.type_string() }}) as atvk_code,
    cast(name_lv as {{ dbt.type_string() }}) as name_lv,
    cast(municipality_type as {{ dbt.type_string() }}) as municipality_type,
    cast(planning_region as {{ dbt.type_string() }}) as planning_region,
    cast(statistical_region as {{ dbt.type_string() }}) as statistical_region,
    cast(statistical_region_2021_2023 as {{ dbt.type_string() }}) as statistical_region_2021_2023,
    cast(iso3166_2 as {{ dbt.type_string() }}) as iso3166_2,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(is_current as boolean) as is_current,
    cast(successor_atvk_code as {{ dbt.type_string() }}) as direct_successor_atvk_code,
    cast(current_atvk_code as {{ dbt.type_string() }}) as successor_atvk_code,
    cast(current_municipality_key as {{ dbt.type_string() }}) as current_municipality_key,
    cast(b.atvk_code is not null as boolean) as is_border,
    cast(b.borders as {{ dbt.type_string() }}) as borders
from {{ ref('int_municipalities_successions_resolved') }} as m
-- The border of the 2021 municipality a version lies in: the 2021 version's own code, or its 2021 successor's. Madonas
-- novads of 2025 (Varakļānu joined it) and its 2021 predecessors have no border.
left join (select atvk_code, borders from {{ ref('border_municipalities') }}) as b
    on b.atvk_code = case when m.valid_from >= cast('2021-07-01' as date) then m.atvk_code
                          else m.successor_atvk_code end
