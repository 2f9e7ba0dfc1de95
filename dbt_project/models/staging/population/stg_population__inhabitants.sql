-- Population values typed and named, one per area label × year; `..` values stay as NULL population.
with

source as (

    select * from {{ source('population', 'population') }}

),

renamed as (

    select
        -- ids
        cast(year as integer) as year,
        trim(atvk_code) as atvk_code,

        -- strings
        trim(area_label) as area_label,
        trim(area_name) as area_name,
        {{ lvsocial.municipality_name_key('area_name') }} as area_name_key,

        -- numerics
        cast(population as integer) as population,

        -- dates
        cast(valid_until as date) as valid_until,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source

)

select * from renamed
