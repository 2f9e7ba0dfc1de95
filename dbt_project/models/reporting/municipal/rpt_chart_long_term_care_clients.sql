-- The line of clients on the report's long-term care chart: clients of long-term care institutions during each
-- year, from the municipalities' statistics.
select
    f.year,
    sum(f.clients) as clients
from {{ ref('fct_social_service_statistics') }} as f
inner join {{ ref('dim_service') }} as s on s.service_key = f.service_key
where s.service_code = 'ltc_institution'
group by f.year
