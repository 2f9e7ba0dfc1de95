-- The status wording seed is stored folded, as fold_lv gives it: the staging model and the raw GX suite compare
-- the fold of the status as written with these values and do not fold the list. Returns the rows that are not.
select status_as_written_folded
from {{ ref('register_status_wording') }}
where status_as_written_folded <> {{ lvsocial.fold_lv('status_as_written_folded') }}
