-- CFLA projects of the social-services measures, typed and named; the beneficiary's name gives the municipality
-- lookup key (a municipality beneficiary names its municipality; others match none).
with

source as (

    select * from {{ source('esf', 'esf_cfla_projects') }}

),

renamed as (

    select
        -- ids
        trim(project_number) as project_number,
        _programming_period as programming_period,
        measure_code,
        cast(null as {{ dbt.type_string() }}) as programme,
        cast(call_year as integer) as call_year,
        selection_code,
        case selection_code when 'A' then 'open' when 'I' then 'restricted' end as selection_type,
        cast(null as {{ dbt.type_string() }}) as agency,
        serial,
        cast(null as integer) as round,

        -- strings
        trim(title) as title,
        trim(status) as status,
        trim(fund) as fund,
        trim(target_group) as target_group,
        trim(beneficiary_name) as beneficiary_name,
        trim(beneficiary_reg_no) as beneficiary_reg_no,
        trim(beneficiary_name) as municipality_as_written,
        {{ lvsocial.beneficiary_municipality_name_key('beneficiary_name') }} as municipality_name_key,

        -- numerics (EUR, decimal commas parsed at ingestion)
        'EUR' as currency,
        cast(total_cost as decimal(18, 2)) as total_cost,
        cast(eu_funding as decimal(18, 2)) as eu_funding,

        -- dates
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,

        -- lineage
        extra_fields,
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source

)

select * from renamed
