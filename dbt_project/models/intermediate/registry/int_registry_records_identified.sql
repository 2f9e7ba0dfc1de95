-- The identity of every register record across snapshots (see the yml and docs/register.md): a record is one
-- provider unit's one canonical service at one place, for its whole life. int_registry_record_segments matches
-- every row to the previous snapshot's row of its record and groups the rows into segments; here the chains of
-- segments are followed to their first one, whose register number, service and place name the record: the
-- record_key (plus the date it was first seen when the same place already had an earlier record, which was
-- removed and registered again).
with recursive

matched as (

    select * from {{ ref('int_registry_record_segments') }}

),

segment_links as (

    select distinct segment_id, previous_segment_id from matched

),

segments as (

    select distinct segment_id, register_number, service_identity, place_token, place_visit, first_snapshot_date
    from matched

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

)

select
    r.snapshot_date,
    r.source_file,
    r.source_row,
    k.record_key,
    p.snapshot_date as previous_snapshot_date,
    p.source_file as previous_source_file,
    p.source_row as previous_source_row
from matched as r
inner join record_keys as k on k.segment_id = r.segment_id
left join matched as p on p.row_id = r.previous_row_id
