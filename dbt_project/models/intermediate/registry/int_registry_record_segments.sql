-- Register rows grouped into segments: a record's consecutive rows at one place, named by their first row. A segment
-- whose first row was matched by address code or as the one row left (steps 2 and 3 of
-- int_registry_record_matches: a move, a rewritten address) continues the segment of that row; following these
-- links (int_registry_records_identified) gives the record. A table of its own, so that the recursion reads a
-- table on every step.
with

matches as (

    select * from {{ ref('int_registry_record_matches') }}

),

-- gaps and islands over the snapshot index: one island is one stay at the place
islands as (

    select
        *,
        snapshot_index - row_number() over (
            partition by register_number, service_identity, place_token order by snapshot_index
        ) as island
    from matches

),

segmented as (

    select
        *,
        -- row ids follow the snapshot date, so the smallest is the segment's first row
        min(row_id) over (partition by register_number, service_identity, place_token, island) as segment_id,
        min(snapshot_date) over (
            partition by register_number, service_identity, place_token, island
        ) as first_snapshot_date,
        dense_rank() over (partition by register_number, service_identity, place_token order by island)
            as place_visit
    from islands

),

continuing as (

    select s.segment_id, p.segment_id as previous_segment_id
    from segmented as s
    inner join segmented as p on p.row_id = s.previous_row_id
    where s.row_id = s.segment_id and s.match_step in (2, 3)

)

select
    s.row_id,
    s.snapshot_date,
    s.source_file,
    s.source_row,
    s.segment_id,
    s.previous_row_id,
    c.previous_segment_id,
    s.register_number,
    s.service_identity,
    s.place_token,
    s.place_visit,
    s.first_snapshot_date
from segmented as s
left join continuing as c on c.segment_id = s.segment_id
