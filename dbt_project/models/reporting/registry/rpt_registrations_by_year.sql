-- Registrations per year of `registered_on` × status at first sight × service group: how many records the register
-- gained each year (the seed presentation's "449 new in 2010–2011, as many as in 2005–2009"). Each record counts
-- once, with the status of the first snapshot that shows it and its registration date as first given.
with

records as (

    select
        record_key,
        snapshot_date,
        status,
        registered_on,
        service_key,
        row_number() over (partition by record_key order by snapshot_date) as sighting
    from {{ ref('fct_provider_services') }}

),

first_sight as (

    select record_key, status, service_key from records where sighting = 1

),

first_dated as (

    select record_key, registered_on
    from (
        select
            record_key,
            registered_on,
            row_number() over (partition by record_key order by snapshot_date) as dated_sighting
        from records
        where registered_on is not null
    ) as d
    where dated_sighting = 1

),

services as (

    select service_key, report_group from {{ ref('dim_service') }}

)

select
    cast(extract(year from d.registered_on) as integer) as registration_year,
    f.status as status_at_first_sight,
    s.report_group as service_group,
    count(*) as registrations
from first_sight as f
left join first_dated as d on d.record_key = f.record_key
left join services as s on s.service_key = f.service_key
group by extract(year from d.registered_on), f.status, s.report_group
