-- Every register row matched to the previous snapshot's row of the same record: the steps of the record identity
-- (the rule: int_registry_records_identified, its yml and docs/register.md). Within one unit × service:
--   1. the same place (place_key; a second row of one service at one place counts as a place of its own);
--   2. among the rows left, the same address code (VZDKods), where both rows give one and it names one row on each
--      side;
--   3. among the rows left, one row on each side: the record moved, or its address was rewritten beyond
--      recognition (legacy street vs JSON address, a renamed street).
-- The steps are a table of their own, and step 1 is a window rather than a self-join: Spark inlines every
-- reference to a CTE, and the plan of all steps in one model grew until its optimizer ran out of memory.
with

records as (

    select
        snapshot_date,
        source_file,
        source_row,
        register_number,
        case when is_service_mapped then service_code else {{ dbt.concat(["'unmapped:'", "service_name_key"]) }} end
            as service_identity,
        service_name_key,
        coalesce(place_key, '') as place_key,
        address_code
    from {{ ref('int_registry_records_conformed') }}

),

snapshots as (

    select snapshot_date, row_number() over (order by snapshot_date) as snapshot_index
    from (select distinct snapshot_date from records) as d

),

ranked as (

    select
        r.*,
        s.snapshot_index,
        row_number() over (order by r.snapshot_date, r.source_file, r.source_row) as row_id,
        row_number() over (
            partition by r.snapshot_date, r.register_number, r.service_identity, r.place_key
            order by r.service_name_key, r.source_file, r.source_row
        ) as place_rank
    from records as r
    inner join snapshots as s on s.snapshot_date = r.snapshot_date

),

placed as (

    select
        *,
        case when place_rank > 1
            then {{ dbt.concat(["place_key", "'#'", "cast(place_rank as " ~ dbt.type_string() ~ ")"]) }}
            else place_key
        end as place_token
    from ranked

),

-- step 1: the same place in the previous snapshot (the row before in this unit × service × place, when it lies
-- in the previous snapshot)
by_place as (

    select
        *,
        lag(row_id) over (
            partition by register_number, service_identity, place_token order by snapshot_index
        ) as place_previous_row_id,
        lag(snapshot_index) over (
            partition by register_number, service_identity, place_token order by snapshot_index
        ) as place_previous_index,
        lead(snapshot_index) over (
            partition by register_number, service_identity, place_token order by snapshot_index
        ) as place_next_index
    from placed

),

left_after_place as (

    select
        *,
        case when place_previous_index = snapshot_index - 1 then place_previous_row_id end as same_place_row_id,
        coalesce(place_previous_index = snapshot_index - 1, false) as has_previous,
        coalesce(place_next_index = snapshot_index + 1, false) as has_next
    from by_place

),

-- step 2: the same address code, where it names one row on each side
coded as (

    select
        *,
        count(*) over (partition by snapshot_index, register_number, service_identity, address_code) as code_rows
    from left_after_place
    where address_code is not null

),

same_code as (

    select c.row_id, p.row_id as previous_row_id
    from coded as c
    inner join coded as p
        on p.snapshot_index = c.snapshot_index - 1
        and p.register_number = c.register_number
        and p.service_identity = c.service_identity
        and p.address_code = c.address_code
    where not c.has_previous and not p.has_next and c.code_rows = 1 and p.code_rows = 1

),

-- step 3: one row left on each side of one unit × service
left_after_code as (

    select r.*
    from left_after_place as r
    left join same_code as back on back.row_id = r.row_id
    left join same_code as ahead on ahead.previous_row_id = r.row_id
    where back.row_id is null and ahead.previous_row_id is null

),

starting as (

    select
        *,
        count(*) over (partition by snapshot_index, register_number, service_identity) as rows_left
    from left_after_code
    where not has_previous

),

ending as (

    select
        *,
        count(*) over (partition by snapshot_index, register_number, service_identity) as rows_left
    from left_after_code
    where not has_next

),

only_one_left as (

    select c.row_id, p.row_id as previous_row_id
    from starting as c
    inner join ending as p
        on p.snapshot_index = c.snapshot_index - 1
        and p.register_number = c.register_number
        and p.service_identity = c.service_identity
    where c.rows_left = 1 and p.rows_left = 1

)

select
    r.row_id,
    r.snapshot_date,
    r.source_file,
    r.source_row,
    r.register_number,
    r.service_identity,
    r.place_token,
    r.snapshot_index,
    coalesce(r.same_place_row_id, c.previous_row_id, o.previous_row_id) as previous_row_id,
    case
        when r.same_place_row_id is not null then 1
        when c.row_id is not null then 2
        when o.row_id is not null then 3
    end as match_step
from left_after_place as r
left join same_code as c on c.row_id = r.row_id
left join only_one_left as o on o.row_id = r.row_id
