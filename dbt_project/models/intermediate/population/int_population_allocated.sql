-- Population per year × municipality version, as published: a coded label (`LV0040000 Ogres novads`) is the
-- version carrying that 2021 code; a pre-reform label (`Ogres novads (līdz 01.07.2021.)`) is the version its name
-- denotes on the day before the date in its note. A 2021 file holds both maps for 2021 (the pre-reform one of
-- 1 January and the 2021 one recalculated back to it): both are kept here, flagged by whether the version is the
-- one valid at the end of the year; int_population_harmonised picks one map per year.
with

inhabitants as (

    select * from {{ ref('stg_population__inhabitants') }}
    where population is not null

),

codes as (

    select * from {{ ref('int_municipality_codes_dated') }}
    where match_priority = 1

),

names as (

    select * from {{ ref('int_municipality_names_dated') }}

),

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

),

by_code as (

    select
        i.source_file,
        i.source_row,
        i.year,
        c.municipality_key
    from inhabitants as i
    inner join codes as c on c.atvk_code = i.atvk_code
    where i.atvk_code is not null

),

by_name as (

    select
        i.source_file,
        i.source_row,
        i.year,
        n.municipality_key,
        row_number() over (
            partition by i.source_file, i.source_row, i.year
            order by n.match_priority, n.municipality_key
        ) as match_rank
    from inhabitants as i
    inner join names as n
        on n.name_key = i.area_name_key
        and {{ lvsocial.day_before('i.valid_until') }} between n.valid_from and n.valid_to
    where i.atvk_code is null

),

resolved as (

    select source_file, source_row, year, municipality_key from by_code
    union all
    select source_file, source_row, year, municipality_key from by_name where match_rank = 1

)

select
    i.year,
    r.municipality_key,
    m.current_municipality_key,
    m.atvk_code,
    m.valid_from as municipality_valid_from,
    m.valid_to as municipality_valid_to,
    m.valid_to >= {{ lvsocial.year_end('i.year') }} and m.valid_from <= {{ lvsocial.year_end('i.year') }}
        as is_year_end_map,
    i.population,
    i.area_label,
    i.source_file,
    i.source_row
from inhabitants as i
left join resolved as r
    on r.source_file = i.source_file
    and r.source_row = i.source_row
    and r.year = i.year
left join municipalities as m on m.municipality_key = r.municipality_key
