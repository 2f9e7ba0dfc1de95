-- The city, town or parish of every register record (docs/register.md#the-place-of-a-record): the territorial unit
-- of the 2021 map (int_territorial_units) that its address names, within the current municipality the record's
-- municipality was resolved to, so it is kept on today's map. In order:
--   1. a parish the address names (`…, Madliena, Madlienas pag., Ogres nov., LV-5045`: the village is not a unit);
--   2. a city or town the address names (`Dārza iela 12B, Bauska, Bauskas nov.`, `Klaipēdas iela 94, Liepāja`);
--   3. the city or town the municipality version itself was (a legacy row of `Rīgas pilsēta` or `Valmiera`,
--      whose address is the street part only);
--   4. the unit of the other rows at the same address code in the same snapshot, when they name one.
-- A row none of these places is kept, with `territorial_unit_resolution` = 'unresolved'. Only the row's own
-- snapshot is read, so a snapshot's rows are placed the same whether built at once or one snapshot at a time.
{{ config(materialized='incremental', **lvsocial.snapshot_incremental_config()) }}

with

records as (

    select
        snapshot_date,
        source_file,
        source_row,
        file_sha256,
        address_code,
        municipality_key,
        current_municipality_key,
        {{ lvsocial.address_segments('address') }} as address_segments
    from {{ ref('int_registry_records_conformed') }}
    {% if is_incremental() %}
    where {{ lvsocial.registry_snapshots_to_build(ref('int_registry_records_conformed')) }}
    {% endif %}

),

units as (

    select * from {{ ref('int_territorial_units') }}

),

versions as (

    select municipality_key, name_lv from {{ ref('int_municipalities_successions_resolved') }}

),

candidates as (

    select
        r.snapshot_date,
        r.source_file,
        r.source_row,
        u.territorial_unit_key,
        case when u.territorial_unit_type = 'parish' then 1 else 2 end as match_step,
        length(u.address_segment) as segment_length
    from records as r
    inner join units as u
        on u.current_municipality_key = r.current_municipality_key
        and r.address_segments like {{ dbt.concat(["'%'", 'u.address_segment', "'%'"]) }}

    union all

    select
        r.snapshot_date,
        r.source_file,
        r.source_row,
        u.territorial_unit_key,
        3 as match_step,
        0 as segment_length
    from records as r
    inner join versions as v on v.municipality_key = r.municipality_key
    inner join units as u
        on u.current_municipality_key = r.current_municipality_key
        and u.territorial_unit_type in ('city', 'town')
        and u.address_segment = {{ lvsocial.address_segments('v.name_lv') }}

),

by_address as (

    select snapshot_date, source_file, source_row, territorial_unit_key, match_step
    from (
        select
            *,
            row_number() over (
                partition by snapshot_date, source_file, source_row
                order by match_step, segment_length desc, territorial_unit_key
            ) as match_rank
        from candidates
    ) as ranked
    where match_rank = 1

),

by_address_code as (

    select
        r.snapshot_date,
        r.source_file,
        r.source_row,
        min(p.territorial_unit_key) as territorial_unit_key
    from records as r
    inner join records as same_code
        on same_code.snapshot_date = r.snapshot_date
        and same_code.address_code = r.address_code
        and same_code.current_municipality_key = r.current_municipality_key
    inner join by_address as p
        on p.snapshot_date = same_code.snapshot_date
        and p.source_file = same_code.source_file
        and p.source_row = same_code.source_row
    left join by_address as own
        on own.snapshot_date = r.snapshot_date
        and own.source_file = r.source_file
        and own.source_row = r.source_row
    where own.territorial_unit_key is null
    group by r.snapshot_date, r.source_file, r.source_row
    having count(distinct p.territorial_unit_key) = 1

),

placed as (

    select
        r.snapshot_date,
        r.source_file,
        r.source_row,
        r.file_sha256,
        coalesce(a.territorial_unit_key, c.territorial_unit_key) as territorial_unit_key,
        case
            when a.match_step in (1, 2) then 'address'
            when a.match_step = 3 then 'municipality'
            when c.territorial_unit_key is not null then 'address_code'
            else 'unresolved'
        end as territorial_unit_resolution
    from records as r
    left join by_address as a
        on a.snapshot_date = r.snapshot_date
        and a.source_file = r.source_file
        and a.source_row = r.source_row
    left join by_address_code as c
        on c.snapshot_date = r.snapshot_date
        and c.source_file = r.source_file
        and c.source_row = r.source_row

)

select
    p.snapshot_date,
    p.source_file,
    p.source_row,
    p.file_sha256,
    p.territorial_unit_key,
    u.territorial_unit,
    u.territorial_unit_type,
    p.territorial_unit_resolution
from placed as p
left join units as u on u.territorial_unit_key = p.territorial_unit_key
