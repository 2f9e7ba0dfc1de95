-- MetricFlow's time spine (one row per day, 2007–2035: the EU-funds periods to the yearly partitions' end), which dbt
-- requires of a project with metrics. dbt's own date_spine macro: portable across DuckDB, PostgreSQL and Spark.
select cast(date_day as date) as date_day
from (
    {{ dbt.date_spine("day", "cast('2007-01-01' as date)", "cast('2036-01-01' as date)") }}
) as spine
