-- EU-funds projects of every period in one shape: amounts in EUR (LVL converted at the fixed rate of the
-- currency_rates seed, the original kept), the beneficiary municipality resolved on the project's start date (end
-- date when there is no start) through int_municipality_names_dated and harmonised to today's map. Amounts are
-- rounded as decimals (round of a double is not portable). A project whose beneficiary names no municipality (a
-- university, an agency, an NGO) stays, with NULL municipality keys.
{%- set columns = [
    'project_number', 'programming_period', 'measure_code', 'programme', 'call_year', 'selection_code',
    'selection_type', 'agency', 'serial', 'round', 'title', 'status', 'fund', 'target_group', 'beneficiary_name',
    'municipality_as_written', 'municipality_name_key', 'currency', 'total_cost', 'eu_funding', 'start_date',
    'end_date', 'source_file', 'source_row'] %}
with

projects as (

    select {{ columns | join(', ') }} from {{ ref('stg_esf__cfla_projects') }}
    union all
    select {{ columns | join(', ') }} from {{ ref('stg_esf__apia_projects') }}

),

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

),

rates as (

    select currency, lvl_per_eur from {{ ref('currency_rates') }}

),

matched as (

    {{ lvsocial.resolve_municipality('projects', ['programming_period', 'project_number'],
                                     name_key='r.municipality_name_key',
                                     on_date='coalesce(r.start_date, r.end_date)') }}

)

select
    p.*,
    coalesce(p.start_date, p.end_date) as municipality_resolved_on,
    m.municipality_key,
    mv.current_municipality_key,
    cast(round(cast(
        case p.currency when 'EUR' then p.total_cost when 'LVL' then p.total_cost / r.lvl_per_eur end as decimal(28, 6)
    ), 2) as decimal(18, 2)) as total_cost_eur,
    cast(round(cast(
        case p.currency when 'EUR' then p.eu_funding when 'LVL' then p.eu_funding / r.lvl_per_eur end as decimal(28, 6)
    ), 2) as decimal(18, 2)) as eu_funding_eur
from projects as p
left join matched as m
    on m.programming_period = p.programming_period
    and m.project_number = p.project_number
left join municipalities as mv on mv.municipality_key = m.municipality_key
left join rates as r on r.currency = p.currency
