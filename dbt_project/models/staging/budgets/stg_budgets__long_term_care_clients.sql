-- Clients of long-term social care by age group, typed and named: one row per municipality × age group × year as
-- filed (docs/inputs.md#clients-of-long-term-care-by-age-group).
with

source as (

    select * from {{ source('budgets', 'long_term_care_clients') }}

),

renamed as (

    select
        -- ids
        cast(_year as integer) as year,
        trim(atvk_code) as atvk_code,
        age_group_code as age_group,

        -- strings
        trim(municipality_name) as municipality_as_written,
        trim(age_group) as age_group_as_written,

        -- numerics
        cast(clients_year_end_count as integer) as clients_year_end,
        cast(new_clients_count as integer) as new_clients,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source

)

select * from renamed
