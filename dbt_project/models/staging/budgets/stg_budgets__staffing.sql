-- Social services' staffing rows typed and named: one row per municipality × year as filed.
with

source as (

    select * from {{ source('budgets', 'social_service_staffing') }}

),

renamed as (

    select
        -- ids
        cast(_year as integer) as year,
        trim(atvk_code) as atvk_code,

        -- strings
        trim(municipality_name) as municipality_as_written,

        -- numerics
        cast(social_work_specialists_count as integer) as social_work_specialists,
        cast(other_staff_count as integer) as other_staff,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source

)

select * from renamed
