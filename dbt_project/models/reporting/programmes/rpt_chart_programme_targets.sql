-- The report's chart of programme targets against results: per result indicator of
-- rpt_programme_targets_vs_results, the target, what was achieved, the achieved figure in % of the target (the
-- indicators count providers, places, clients or projects, so the chart compares them in %) and the status.
-- achieved and target_value are doubles: the decimal cast lets PostgreSQL round them.
select
    target_key,
    planning_region,
    programme,
    indicator,
    unit,
    target_year,
    achieved_year,
    target_value,
    achieved,
    case when target_value > 0
         then cast(round(cast(100.0 * achieved / target_value as decimal(18, 4)), 1) as {{ lvsocial.type_double() }})
    end as achieved_percent,
    status
from {{ ref('rpt_programme_targets_vs_results') }}
