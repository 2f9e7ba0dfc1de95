-- Budget execution rows typed and named: one row per municipality × functional code × year as filed.
with

source as (

    select * from {{ source('budgets', 'budget_expenditure') }}

),

renamed as (

    select
        -- ids
        cast(_year as integer) as year,
        trim(atvk_code) as atvk_code,
        trim(function_code) as function_code,

        -- strings
        trim(municipality_name) as municipality_as_written,
        trim(function_name) as function_name_as_written,
        currency_code as currency,

        -- numerics (in the row's currency)
        cast(planned_amount as decimal(18, 2)) as planned_original,
        cast(executed_amount as decimal(18, 2)) as executed_original,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source

)

select * from renamed
