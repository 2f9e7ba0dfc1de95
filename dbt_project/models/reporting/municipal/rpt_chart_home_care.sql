-- The report's home-care chart: recipients during the year and municipal home-care spending in EUR million, all
-- municipalities.
select
    year,
    sum(home_care_clients) as clients,
    cast(sum(home_care_eur) as {{ lvsocial.type_double() }}) / 1000000 as eur_million
from {{ ref('rpt_home_and_day_care') }}
group by year
