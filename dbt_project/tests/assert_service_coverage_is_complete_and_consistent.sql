-- rpt_service_coverage has a row for every current municipality × service group in every snapshot, its units
-- with a service never exceed its units, and a municipality with no provider of a group has no unit with it.
-- Returns the offending rows. It reads three models; the meta names the one it is a Dagster asset check of.
-- (The GX suite reporting_rpt_service_coverage, expectations/reports.py, also compares the keys of the grid.)
{{ config(meta={'dagster': {'ref': {'name': 'rpt_service_coverage'}}}) }}

with

coverage as (

    select * from {{ ref('rpt_service_coverage') }}

),

expected as (

    select
        (select count(*) from {{ ref('dim_municipality') }} where is_current)
        * (select count(distinct report_group) from {{ ref('dim_service') }}) as rows_per_snapshot

),

per_snapshot as (

    select snapshot_date, count(*) as rows_found from coverage group by snapshot_date

)

select cast(snapshot_date as {{ dbt.type_string() }}) as problem_at, 'rows per snapshot' as problem
from per_snapshot cross join expected
where rows_found <> rows_per_snapshot

union all

select cast(snapshot_date as {{ dbt.type_string() }}), 'units with service above units'
from coverage where territorial_units_with_service > territorial_units

union all

select cast(snapshot_date as {{ dbt.type_string() }}), 'units with service but no provider'
from coverage where providers = 0 and territorial_units_with_service > 0
