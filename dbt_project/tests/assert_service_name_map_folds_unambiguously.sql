-- Two names of service_name_map that fold to one key (`Grupu māja (dzīvoklis)`, `grupu māja dzīvoklis`) must give
-- one code: the classifier looks names up by folded key, and two codes for a key would duplicate records.
-- Returns the keys with more than one code.
select
    {{ lvsocial.service_name_key('raw_name') }} as service_name_key,
    count(distinct service_code) as codes
from {{ ref('service_name_map') }}
group by {{ lvsocial.service_name_key('raw_name') }}
having count(distinct service_code) > 1
