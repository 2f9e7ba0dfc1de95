-- Regional development programmes' result indicators, typed and named: one row per indicator as filed
-- (docs/inputs.md#programme-result-indicators).
with

source as (

    select * from {{ source('programmes', 'programme_targets') }}

),

renamed as (

    select
        -- ids
        planning_region,
        programme,
        service_code,
        unit_code as unit,

        -- strings
        period,
        priority,
        indicator,
        service_type as service_type_as_written,
        unit as unit_as_written,

        -- numerics
        cast(baseline_value as {{ lvsocial.type_double() }}) as baseline_value,
        cast(baseline_year_value as integer) as baseline_year,
        cast(target_value as {{ lvsocial.type_double() }}) as target_value,
        cast(target_year_value as integer) as target_year,

        -- lineage
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source

)

select * from renamed
