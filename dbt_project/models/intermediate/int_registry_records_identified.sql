-- The identity of every register record across snapshots (see the yml and docs/register.md): a record is one
-- provider unit's one canonical service at one place, for its whole life. Each row of a snapshot is matched to
-- the row of the same record in the previous snapshot, in three steps within one unit × service:
--   1. the same place (place_key; a second row of one service at one place counts as a place of its own);
--   2. among the rows left, the same address code (VZDKods), where both rows give one;
--   3. among the rows left, one row on each side: the record moved, or its address was rewritten beyond
--      recognition (legacy street vs JSON address, a renamed street).
-- Matched rows continue a record; a row without a match starts one. A record's rows at one place form a
-- segment; a segment started by a step-2/3 match continues the segment before it, and the record_key is that of
-- the chain's first segment: register number, service and place where it was first seen (plus that date when
-- the same place already had an earlier record, which was removed and registered again).
with recursive

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

chains (segment_id, root_segment_id) as (

    select segment_id, segment_id from segment_links where previous_segment_id is null
    union all
    select l.segment_id, ch.root_segment_id
    from segment_links as l
    inner join chains as ch on l.previous_segment_id = ch.segment_id

),

record_keys as (

    select
        ch.segment_id,
        {{ lvsocial.surrogate_key([
            'root.register_number', 'root.service_identity', 'root.place_token',
            'case when root.place_visit > 1 then root.first_snapshot_date end']) }} as record_key
    from chains as ch
    inner join segments as root on root.segment_id = ch.root_segment_id

),

previous_rows as (

    select row_id, previous_row_id from same_place
    union all
    select row_id, previous_row_id from continued

)

select
    r.snapshot_date,
    r.source_file,
    r.source_row,
    k.record_key,
    p.snapshot_date as previous_snapshot_date,
    p.source_file as previous_source_file,
    p.source_row as previous_source_row
from placed as r
inner join row_segments as rs on rs.row_id = r.row_id
inner join record_keys as k on k.segment_id = rs.segment_id
left join previous_rows as pr on pr.row_id = r.row_id
left join placed as p on p.row_id = pr.previous_row_id
