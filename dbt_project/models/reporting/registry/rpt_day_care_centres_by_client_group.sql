-- Day-care centres per snapshot × client group × status. A record names its client groups in one text field
-- (`personas ar redzes invaliditāti; pensijas vecuma personas`), in old or new wording; each wording of the seed
-- client_group_wording is matched as a whole item of that list (folded: case and diacritics do not matter), and
-- old and new wordings of one group count once. A centre counts in every group it serves, so groups do not add up
-- to the number of centres (rpt_register_by_service has that). Records naming no group are `not_given`; records
-- whose groups match no wording are `unrecognised`.
with

centres as (

    select
        f.snapshot_date,
        f.record_key,
        f.register_number,
        f.status,
        f.capacity,
        f.client_groups,
        -- `a; b` as `;a;b;`, so a wording is matched as a whole item: `%;b;%`
        {{ dbt.concat(["';'", "replace(replace(" ~ lvsocial.fold_lv('f.client_groups') ~ ", '; ', ';'), ' ;', ';')",
                       "';'"]) }} as client_groups_key
    from {{ ref('fct_provider_services') }} as f
    inner join {{ ref('dim_service') }} as s on s.service_key = f.service_key
    where s.service_code = 'day_care_centre'

),

wordings as (

    select
        {{ lvsocial.fold_lv('wording') }} as wording_key,
        client_group_code,
        name_lv
    from {{ ref('client_group_wording') }}

),

matched as (

    select distinct
        c.snapshot_date,
        c.record_key,
        w.client_group_code,
        w.name_lv as client_group_name_lv
    from centres as c
    inner join wordings as w
        on c.client_groups_key like {{ dbt.concat(["'%;'", "w.wording_key", "';%'"]) }}

),

record_groups as (

    select snapshot_date, record_key, client_group_code, client_group_name_lv from matched

    union all

    select
        c.snapshot_date,
        c.record_key,
        case when c.client_groups is null or trim(c.client_groups) = '' then 'not_given' else 'unrecognised' end,
        case
            when c.client_groups is null or trim(c.client_groups) = '' then 'klientu grupa nav norādīta'
            else 'neatpazīta klientu grupa'
        end
    from centres as c
    where not exists (
        select 1 from matched as m where m.snapshot_date = c.snapshot_date and m.record_key = c.record_key
    )

)

select
    c.snapshot_date,
    g.client_group_code,
    g.client_group_name_lv,
    c.status,
    count(distinct c.register_number) as centres,
    count(*) as records,
    sum(c.capacity) as places
from centres as c
inner join record_groups as g on g.snapshot_date = c.snapshot_date and g.record_key = c.record_key
group by c.snapshot_date, g.client_group_code, g.client_group_name_lv, c.status
