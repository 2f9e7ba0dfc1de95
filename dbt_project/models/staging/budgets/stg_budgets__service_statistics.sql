-- Social-service statistics rows typed and named: one row per municipality × service line × year as filed.
with

source as (

    select * from {{ source('budgets', 'social_service_statistics') }}

),

renamed as (

    select
        -- ids
        cast(_year as integer) as year,
        trim(atvk_code) as atvk_code,

        -- strings
        trim(municipality_name) as municipality_as_written,
        trim(service_name) as service_name,
        {{ lvsocial.service_name_key('service_name') }} as service_name_key,
        currency_code as currency,

        -- numerics
        cast(clients_count as integer) as clients,
        cast(expenditure_amount as decimal(18, 2)) as expenditure_original,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source

)

select * from renamed
