-- Register records, provider units and places per snapshot × service × status, for the whole country: the series
-- of long-term care institutions and their places, day-care centres over time, and institutional against
-- community services (care_setting). Records and places add up across services; providers do not (a unit may
-- register several services).
with

records as (

    select * from {{ ref('fct_provider_services') }}

),

services as (

    select * from {{ ref('dim_service') }}

)

select
    r.snapshot_date,
    s.service_key,
    s.service_code,
    s.name_lv as service_name_lv,
    s.name_en as service_name_en,
    s.report_group,
    s.report_group_lv,
    s.care_setting,
    r.status,
    count(*) as records,
    count(distinct r.register_number) as providers,
    sum(r.capacity) as places,
    count(r.capacity) as records_with_places
from records as r
inner join services as s on s.service_key = r.service_key
group by
    r.snapshot_date, s.service_key, s.service_code, s.name_lv, s.name_en, s.report_group, s.report_group_lv,
    s.care_setting, r.status
