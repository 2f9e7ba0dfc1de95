-- Every municipality version with its surrogate key, an open end date, and the version that holds its territory
-- today (successions followed through the 2021 reform and the 2025 Madona merger).
with

versions as (

    select
        atvk_code,
        name_lv,
        name_genitive,
        municipality_type,
        cast(valid_from as date) as valid_from,
        cast(coalesce(valid_to, cast('9999-12-31' as date)) as date) as valid_to,
        valid_to is null as is_current,
        successor_atvk_code,
        planning_region,
        statistical_region,
        statistical_region_2021_2023,
        iso3166_2
    from {{ ref('municipalities') }}

),

keyed as (

    select
        {{ lvsocial.surrogate_key(['atvk_code', 'valid_from']) }} as municipality_key,
        *
    from versions

),

resolved as (

    select
        v.*,
        case
            when v.is_current then v.atvk_code
            when s1.is_current then s1.atvk_code
            when s2.is_current then s2.atvk_code
        end as current_atvk_code,
        s1.municipality_key as next_municipality_key,
        s1.valid_to as next_valid_to,
        s2.municipality_key as after_next_municipality_key
    from keyed as v
    left join keyed as s1 on s1.atvk_code = v.successor_atvk_code
    left join keyed as s2 on s2.atvk_code = s1.successor_atvk_code

)

select
    r.*,
    c.municipality_key as current_municipality_key
from resolved as r
left join keyed as c
    on c.atvk_code = r.current_atvk_code and c.is_current
