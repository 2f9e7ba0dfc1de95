-- Register records typed and named; personal data (legal codes of persons, contacts, names of natural persons)
-- stops here. The status wording is looked up in the seed that the raw GX suite reads too (one list, one fold).
with

source as (

    select * from {{ source('registry', 'registry_provider_services') }}

),

status_wording as (

    -- wording stored folded (fold_lv); unique, so the lookup keeps one row per record
    select
        status_as_written_folded,
        status as wording_status
    from {{ ref('register_status_wording') }}

),

renamed as (

    select
        -- ids
        cast(_snapshot_date as date) as snapshot_date,
        {{ lvsocial.safe_cast('trim(register_number)', 'integer') }} as register_number,

        -- provider
        case
            when {{ lvsocial.is_natural_person('legal_status') }}
                then {{ lvsocial.person_pseudonym(lvsocial.safe_cast('trim(register_number)', 'integer')) }}
            else trim(provider_name)
        end as provider_name,
        {{ lvsocial.is_natural_person('legal_status') }} as is_natural_person,
        trim(legal_status) as legal_status,

        -- service record
        trim(service_name) as service_name,
        {{ lvsocial.service_name_key('service_name') }} as service_name_key,
        status_wording.wording_status as status,
        trim(source.status) as status_as_written,
        trim(service_form) as service_form,
        {{ lvsocial.safe_cast('trim(planned_clients)', 'integer') }} as capacity,
        trim(clients_by_age_gender) as clients_by_age_gender,
        client_groups,

        -- place
        trim(address) as address,
        nullif(trim(address_code), '') as address_code,
        {{ lvsocial.address_place_key('address') }} as place_key,
        trim(municipality_text) as municipality_as_written,
        {{ lvsocial.municipality_name_key('municipality_text') }} as municipality_name_key,

        -- dates
        {{ lvsocial.parse_lv_date('registered_on') }} as registered_on,
        {{ lvsocial.parse_lv_date('removed_on') }} as removed_on,

        -- lineage
        source_format,
        _source_file as source_file,
        _source_row as source_row,
        _file_sha256 as file_sha256

    from source
    left join status_wording
        on {{ lvsocial.fold_lv('source.status') }} = status_wording.status_as_written_folded

)

select * from renamed
