-- The versions a municipality name as written can mean on a date (the macro resolve_municipality picks one).
-- In a model, write the resolution as that macro, never as a join of this table.
-- Each name (official form and the genitive used in `Rīgas pilsēta`) answers with its own version while that
-- version is valid (priority 1) and, after it ended, with the version that took over its territory (priority 2):
-- an old name in a new file still lands on the map valid that day. The first versions reach back without limit,
-- so records dated before 1 July 2009 resolve to the 2009 map.
with

municipalities as (

    select * from {{ ref('int_municipalities_successions_resolved') }}

),

first_valid as (

    select min(valid_from) as valid_from from municipalities

),

names as (

    select municipality_key, name_lv as name_written from municipalities
    union all
    select municipality_key, name_genitive from municipalities where name_genitive is not null

),

own_period as (

    select
        n.name_written,
        {{ lvsocial.municipality_name_key('n.name_written') }} as name_key,
        case when m.valid_from = f.valid_from then cast('1900-01-01' as date) else m.valid_from end as valid_from,
        m.valid_to,
        m.municipality_key,
        1 as match_priority
    from names as n
    inner join municipalities as m on m.municipality_key = n.municipality_key
    cross join first_valid as f

),

successor_period as (

    select
        n.name_written,
        {{ lvsocial.municipality_name_key('n.name_written') }} as name_key,
        cast({{ dbt.dateadd('day', 1, 'm.valid_to') }} as date) as valid_from,
        m.next_valid_to as valid_to,
        m.next_municipality_key as municipality_key,
        2 as match_priority
    from names as n
    inner join municipalities as m on m.municipality_key = n.municipality_key
    where m.next_municipality_key is not null

),

after_next_period as (

    select
        n.name_written,
        {{ lvsocial.municipality_name_key('n.name_written') }} as name_key,
        cast({{ dbt.dateadd('day', 1, 'm.next_valid_to') }} as date) as valid_from,
        cast('9999-12-31' as date) as valid_to,
        m.after_next_municipality_key as municipality_key,
        3 as match_priority
    from names as n
    inner join municipalities as m on m.municipality_key = n.municipality_key
    where m.after_next_municipality_key is not null

)

select distinct * from own_period
union all
select distinct * from successor_period
union all
select distinct * from after_next_period
