-- Services the 2007–2013 APIA projects planned (sheet `Pakalpojumi`), one row per project × service, typed and
-- named; the service name gets the lookup key of the service taxonomy.
with

source as (

    select * from {{ source('esf', 'esf_apia_planned_services') }}

),

renamed as (

    select
        -- ids
        trim(project_number) as project_number,
        _programming_period as programming_period,

        -- service
        trim(service_name) as service_name,
        {{ lvsocial.service_name_key('service_name') }} as service_name_key,
        novelty,
        novelty_as_written,
        cast(is_innovative as boolean) as is_innovative,
        innovative_as_written,
        trim(method) as method,
        trim(target_group) as target_group,
        cast(planned_clients as integer) as planned_clients,

        -- lineage
        extra_fields,
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source

)

select * from renamed
