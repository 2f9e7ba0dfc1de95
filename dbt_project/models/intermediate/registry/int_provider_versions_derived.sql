-- Provider unit versions (SCD type 2) derived from the snapshots themselves, not from run times: a new version
-- starts when the unit's name, legal status or sector changes, or when it comes back after missing from one or
-- more snapshots. A version ends the day before the next snapshot that no longer shows it.
with

snapshots as (

    select
        snapshot_date,
        row_number() over (order by snapshot_date) as snapshot_index
    from (select distinct snapshot_date from {{ ref('stg_registry__provider_services') }}) as d

),

sectors as (

    select {{ lvsocial.fold_lv('legal_status') }} as legal_status_key, provider_sector
    from {{ ref('legal_status_sectors') }}

),

unit_snapshots as (

    select
        r.register_number,
        r.snapshot_date,
        s.snapshot_index,
        min(r.provider_name) as provider_name,
        min(r.legal_status) as legal_status,
        bool_or(r.is_natural_person) as is_natural_person
    from {{ ref('stg_registry__provider_services') }} as r
    inner join snapshots as s on s.snapshot_date = r.snapshot_date
    where r.register_number is not null
    group by r.register_number, r.snapshot_date, s.snapshot_index

),

with_sector as (

    select
        u.*,
        coalesce(
            sec.provider_sector,
            case when coalesce(u.is_natural_person, false) then 'private' end,
            'ngo'
        ) as provider_sector,
        sec.provider_sector is null and not coalesce(u.is_natural_person, false) as is_sector_guessed
    from unit_snapshots as u
    left join sectors as sec on sec.legal_status_key = {{ lvsocial.fold_lv('u.legal_status') }}

),

changes as (

    select
        *,
        case
            when lag(snapshot_index) over w is null then 1
            when lag(snapshot_index) over w <> snapshot_index - 1 then 1
            when lag(provider_name) over w is distinct from provider_name then 1
            when lag(legal_status) over w is distinct from legal_status then 1
            when lag(provider_sector) over w is distinct from provider_sector then 1
            else 0
        end as is_new_version
    from with_sector
    window w as (partition by register_number order by snapshot_index)

),

numbered as (

    select
        *,
        sum(is_new_version) over (
            partition by register_number order by snapshot_index rows between unbounded preceding and current row
        ) as version_number
    from changes

),

versions as (

    select
        register_number,
        version_number,
        min(provider_name) as provider_name,
        min(legal_status) as legal_status,
        min(provider_sector) as provider_sector,
        bool_or(is_natural_person) as is_natural_person,
        bool_or(is_sector_guessed) as is_sector_guessed,
        min(snapshot_date) as valid_from,
        max(snapshot_index) as last_snapshot_index
    from numbered
    group by register_number, version_number

)

select
    {{ lvsocial.surrogate_key(['v.register_number', 'v.valid_from']) }} as provider_key,
    v.register_number,
    v.version_number,
    v.provider_name,
    v.legal_status,
    v.provider_sector,
    v.is_natural_person,
    v.is_sector_guessed,
    v.valid_from,
    coalesce({{ lvsocial.day_before('nxt.snapshot_date') }}, cast('9999-12-31' as date)) as valid_to,
    nxt.snapshot_date is null as is_current
from versions as v
left join snapshots as nxt on nxt.snapshot_index = v.last_snapshot_index + 1
