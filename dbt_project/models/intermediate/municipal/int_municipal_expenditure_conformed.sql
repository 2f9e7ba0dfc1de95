-- Budget execution rows on the municipality map: the ATVK code resolved to the version valid in the row's year
-- (and to today's map), amounts converted to EUR at the fixed rate (LVL / 0.702804) with the original beside,
-- the functional code named. 10.000 is the group total line, the sum of the others: flagged, never added to them.
with

expenditure as (

    select * from {{ ref('stg_budgets__expenditure') }}

),

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

),

rates as (

    select currency, lvl_per_eur from {{ ref('currency_rates') }}

),

functions as (

    select code, name_lv, name_en from {{ ref('functional_codes') }}

),

matched as (

    {{ lvsocial.resolve_municipality('expenditure', ['source_file', 'source_row'],
                                     atvk_code='r.atvk_code', year='r.year') }}

)

select
    e.year,
    e.atvk_code,
    m.municipality_key,
    mv.current_municipality_key,
    e.function_code,
    f.name_lv as function_name_lv,
    f.name_en as function_name_en,
    f.code is not null as is_function_known,
    e.function_code like '%.000' as is_group_total,
    e.currency as original_currency,
    e.planned_original,
    e.executed_original,
    {{ lvsocial.to_eur('e.planned_original', 'r') }} as planned_eur,
    {{ lvsocial.to_eur('e.executed_original', 'r') }} as executed_eur,
    e.municipality_as_written,
    e.function_name_as_written,
    e.source_file,
    e.source_row
from expenditure as e
left join matched as m
    on m.source_file = e.source_file
    and m.source_row = e.source_row
left join municipalities as mv on mv.municipality_key = m.municipality_key
left join rates as r on r.currency = e.currency
left join functions as f on f.code = e.function_code
