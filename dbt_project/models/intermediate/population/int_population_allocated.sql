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

    {{ lvsocial.resolve_municipality('inhabitants', ['source_file', 'source_row', 'year'],
                                     name_key='r.area_name_key', on_date=lvsocial.day_before('r.valid_until'),
                                     where='r.atvk_code is null') }}

),

resolved as (

    select source_file, source_row, year, municipality_key from by_code
    union all
    select source_file, source_row, year, municipality_key from by_name

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
