-- 2007–2013 ESF activity 1.4.1.2.4 projects (APIA workbook, sheet `Projekti`), typed and named; the project
-- number's parts were parsed at ingestion. The municipality is the pre-2021 name as written in `Pašvaldība`.
with

source as (

    select * from {{ source('esf', 'esf_apia_projects') }}

),

renamed as (

    select
        -- ids
        trim(project_number) as project_number,
        _programming_period as programming_period,
        activity_code as measure_code,
        programme,
        cast(call_year as integer) as call_year,
        selection_code,
        case selection_code when 'APIA' then 'open' when 'IPIA' then 'restricted' end as selection_type,
        agency,
        serial,
        cast(round as integer) as round,

        -- strings
        trim(title) as title,
        trim(status) as status,
        'ESF' as fund,
        cast(null as {{ dbt.type_string() }}) as target_group,
        trim(beneficiary_name) as beneficiary_name,
        trim(beneficiary_reg_no) as beneficiary_reg_no,
        trim(municipality_text) as municipality_as_written,
        {{ lvsocial.municipality_name_key('municipality_text') }} as municipality_name_key,

        -- numerics (in `currency`: LVL in the workbook)
        currency,
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
