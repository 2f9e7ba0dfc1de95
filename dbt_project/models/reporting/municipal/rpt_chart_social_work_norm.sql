-- The report's chart of the social-work norm: municipalities (today's map) meeting the norm and below it, per year
-- (municipalities without a population that year are in neither).
select
    year,
    sum(case when meets_norm then 1 else 0 end) as meeting,
    sum(case when not meets_norm then 1 else 0 end) as below
from {{ ref('rpt_social_work_norm') }}
where meets_norm is not null
group by year
