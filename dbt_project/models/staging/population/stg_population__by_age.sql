-- Population by territory and age group, typed and named: one value per territory × age group × year, on the 2021
-- map; `..` values stay as NULL population.
with

source as (

    select * from {{ source('population', 'population_by_age') }}

),

renamed as (

    select
        -- ids
        cast(year as integer) as year,
        trim(atvk_code) as atvk_code,
        trim(age_group) as age_group,

        -- strings
        trim(area_label) as area_label,
        trim(municipality_name) as municipality_name,
        nullif(trim(territorial_unit), '') as territorial_unit,
        {{ lvsocial.fold_lv('territorial_unit') }} as territorial_unit_key,

        -- numerics
        cast(population as integer) as population,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source

)

select * from renamed
