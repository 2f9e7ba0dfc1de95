-- The report's chart of social-protection spending per inhabitant: functional group 10 (the group total line),
-- executed, over the population of the municipalities that have one, per year.
select
    year,
    cast(sum(executed_eur) as {{ lvsocial.type_double() }}) / sum(population) as eur_per_capita
from {{ ref('rpt_expenditure_per_capita') }}
where is_group_total and population > 0
group by year
