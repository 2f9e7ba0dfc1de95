-- The versions an ATVK code can mean on a date (the macro resolve_municipality picks one): the code's own
-- version while it is valid (priority 1) and, after it ended, the version that took over its territory
-- (priority 2) and the one after that (priority 3) — a code written after its version ended still lands on the
-- map valid that day. The first versions reach back without limit, as in int_municipality_names_dated. Yearly
-- files match every period that overlaps their year and take the best priority: the 2021 budget file's
-- pre-reform codes land on the pre-reform versions, its 2021 codes on the new ones.
with

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

),

first_valid as (

    select min(valid_from) as valid_from from municipalities

),

own_period as (

    select
        m.atvk_code,
        case when m.valid_from = f.valid_from then cast('1900-01-01' as date) else m.valid_from end as valid_from,
        m.valid_to,
        m.municipality_key,
        1 as match_priority
    from municipalities as m
    cross join first_valid as f

),

successor_period as (

    select
        atvk_code,
        cast({{ dbt.dateadd('day', 1, 'valid_to') }} as date) as valid_from,
        next_valid_to as valid_to,
        next_municipality_key as municipality_key,
        2 as match_priority
    from municipalities
    where next_municipality_key is not null

),

after_next_period as (

    select
        atvk_code,
        cast({{ dbt.dateadd('day', 1, 'next_valid_to') }} as date) as valid_from,
        cast('9999-12-31' as date) as valid_to,
        after_next_municipality_key as municipality_key,
        3 as match_priority
    from municipalities
    where after_next_municipality_key is not null

)

select * from own_period
union all
select * from successor_period
union all
select * from after_next_period
