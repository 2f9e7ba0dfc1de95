-- The report's chart of the care balance over time: per year, institutional long-term care against community-based
-- services nationally, the regions of rpt_care_balance summed: places in the register's first snapshot of the year
-- (NULL in a year without a snapshot) and clients in the year's statistics (NULL without statistics), with the
-- ratios institutional : community.
with

national as (

    select
        year,
        max(register_snapshot_date) as register_snapshot_date,
        sum(institutional_places) as institutional_places,
        sum(community_places) as community_places,
        sum(institutional_clients) as institutional_clients,
        sum(community_clients) as community_clients
    from {{ ref('rpt_care_balance') }}
    group by year

)

select
    year,
    register_snapshot_date,
    cast(case when register_snapshot_date is not null then institutional_places end as integer) as institutional_places,
    cast(case when register_snapshot_date is not null then community_places end as integer) as community_places,
    cast(institutional_clients as integer) as institutional_clients,
    cast(community_clients as integer) as community_clients,
    case when register_snapshot_date is not null and community_places > 0
         then cast(round(1.0 * institutional_places / community_places, 3) as {{ lvsocial.type_double() }})
    end as places_ratio,
    case when community_clients > 0
         then cast(round(1.0 * institutional_clients / community_clients, 3) as {{ lvsocial.type_double() }})
    end as clients_ratio
from national
