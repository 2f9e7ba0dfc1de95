-- The report's day-care chart, right: centres providing the service per client group (old and new wording of a
-- group counted once, rpt_day_care_centres_by_client_group), per register snapshot.
select
    snapshot_date,
    client_group_code,
    client_group_name_lv,
    centres
from {{ ref('rpt_day_care_centres_by_client_group') }}
where status = 'providing'
