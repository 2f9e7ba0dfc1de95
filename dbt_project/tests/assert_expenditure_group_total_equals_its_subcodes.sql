-- The 10.000 line of a municipality's budget is the total of its other functional codes, as the Treasury prints
-- it (so marts never add it to them). Returns the municipalities and years where it is off by more than 1 unit
-- of the original currency (rounding of the lines).
{{ config(severity='warn') }}

with

lines as (

    select * from {{ ref('fct_municipal_expenditure') }}

),

totals as (

    select year, municipality_key, sum(executed_original) as total_line
    from lines where is_group_total
    group by year, municipality_key

),

subcodes as (

    select year, municipality_key, sum(executed_original) as sum_of_subcodes
    from lines where not is_group_total
    group by year, municipality_key

)

select t.year, t.municipality_key, t.total_line, s.sum_of_subcodes
from totals as t
inner join subcodes as s on s.year = t.year and s.municipality_key = t.municipality_key
where abs(t.total_line - s.sum_of_subcodes) > 1
