-- Register rows matched to the previous snapshot's row of the same record, and grouped into segments (a record's
-- consecutive rows at one place), with the segment each segment continues: the steps of the record identity
-- (see int_registry_records_identified, its yml and docs/register.md). Each row of a snapshot is matched, within
-- one unit × service, in three steps:
--   1. the same place (place_key; a second row of one service at one place counts as a place of its own);
--   2. among the rows left, the same address code (VZDKods), where both rows give one;
--   3. among the rows left, one row on each side: the record moved, or its address was rewritten beyond
--      recognition (legacy street vs JSON address, a renamed street).
-- A segment started by a step-2/3 match continues the segment before it. Kept as a table of its own so that the
-- recursion that follows the chains (int_registry_records_identified) reads a table, not this plan, on every step.
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

-- step 1: the same place in the previous snapshot
same_place as (

    select c.row_id, p.row_id as previous_row_id
    from placed as c
    inner join placed as p
        on p.snapshot_index = c.snapshot_index - 1
        and p.register_number = c.register_number
        and p.service_identity = c.service_identity
        and p.place_token = c.place_token

),

left_after_place as (

    select
        r.*,
        back.row_id is not null as has_previous,
        ahead.previous_row_id is not null as has_next
    from placed as r
    left join same_place as back on back.row_id = r.row_id
    left join same_place as ahead on ahead.previous_row_id = r.row_id

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

),

continued as (

    select row_id, previous_row_id from same_code
    union all
    select row_id, previous_row_id from only_one_left

),

-- segments: a record's consecutive rows at one place (gaps and islands over the snapshot index)
islands as (

    select
        *,
        snapshot_index - row_number() over (
            partition by register_number, service_identity, place_token order by snapshot_index
        ) as island
    from placed

),

segments as (

    select
        register_number,
        service_identity,
        place_token,
        island,
        min(row_id) as segment_id,
        min(snapshot_date) as first_snapshot_date,
        min(snapshot_index) as first_snapshot_index,
        row_number() over (
            partition by register_number, service_identity, place_token order by min(snapshot_index)
        ) as place_visit
    from islands
    group by register_number, service_identity, place_token, island

),

row_segments as (

    select i.row_id, s.segment_id
    from islands as i
    inner join segments as s
        on s.register_number = i.register_number
        and s.service_identity = i.service_identity
        and s.place_token = i.place_token
        and s.island = i.island

),

segment_links as (

    select
        s.*,
        prev_seg.segment_id as previous_segment_id
    from segments as s
    left join row_segments as first_row on first_row.segment_id = s.segment_id and first_row.row_id = s.segment_id
    left join continued as c on c.row_id = first_row.row_id
    left join row_segments as prev_seg on prev_seg.row_id = c.previous_row_id

),

previous_rows as (

    select row_id, previous_row_id from same_place
    union all
    select row_id, previous_row_id from continued

)

select
    r.row_id,
    r.snapshot_date,
    r.source_file,
    r.source_row,
    rs.segment_id,
    pr.previous_row_id,
    sl.previous_segment_id,
    sl.register_number,
    sl.service_identity,
    sl.place_token,
    sl.place_visit,
    sl.first_snapshot_date
from placed as r
inner join row_segments as rs on rs.row_id = r.row_id
inner join segment_links as sl on sl.segment_id = rs.segment_id
left join previous_rows as pr on pr.row_id = r.row_id
