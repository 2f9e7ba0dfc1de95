"""Municipal money and people in Dagster: budget execution, social-service statistics and staffing as yearly
partitioned assets (one run loads every requested year; a year without a file is skipped with a warning), their
Great Expectations checks, the nothing-lost checks, and a sensor that requests a run when a yearly file lands."""

import json

import dagster as dg

from expectations import budgets as budget_suites
from expectations.runner import validate_frame
from ingestion import budgets
from ingestion.common import IngestionError
from ingestion.landing import Landing
from orchestration.resources import LandingFolder, Warehouse
from orchestration.sources import IngestionSource

FIRST_YEAR, LAST_YEAR = 2009, 2035  # the municipality map starts on 1 July 2009
budget_years = dg.StaticPartitionsDefinition([str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)])
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/budgets.py"
GROUP = "municipal_raw"

RAW_EXPENDITURE = dg.AssetKey(["raw", "budget_expenditure"])
RAW_STATISTICS = dg.AssetKey(["raw", "social_service_statistics"])
RAW_STAFFING = dg.AssetKey(["raw", "social_service_staffing"])


def load_years(context: dg.AssetExecutionContext, warehouse: Warehouse, landing: LandingFolder,
               source: str) -> dg.MaterializeResult:
    """Load every requested year of one yearly source; a year without a file is skipped with a warning."""
    spec = budgets.FILES[source]
    asset_key = dg.AssetKey(["raw", spec.table])
    files = landing.scan().files.get(source, {})
    keys = context.partition_keys
    per_file, failures, warnings, skipped = [], [], [], []
    with warehouse.connect() as con:
        budgets.ensure_tables(con)
        for i, key in enumerate(keys, start=1):
            paths = files.get(key, [])
            if not paths:
                skipped.append(key)
                continue
            try:
                totals, notes = budgets.load_year(con, source, int(key), paths)
            except IngestionError as exc:
                failures.append(str(exc))
                context.log.error(f"{source} {key}: {exc}")
                continue
            warnings += [f"{paths[0].name}: {n}" for n in notes]
            file_info = totals.pop("files")[0]
            per_file.append({"year": key, "file": paths[0].name, **totals})
            context.log_event(dg.AssetObservation(
                asset_key=asset_key, partition=key, metadata={**file_info, "year": key, **totals}))
            context.log.info(f"[{i}/{len(keys)}] {source} {key}: {paths[0].name} — {totals['rows_loaded']} loaded, "
                             f"{totals['rows_rejected']} rejected")
        rows_in_table = con.execute(f"select count(*) from raw.{spec.table}").fetchone()[0]
        warehouse.mirror(con, [source], log=context.log.info)  # to the postgres/spark target
    if skipped:
        context.log.warning(f"{source}: no file for {len(skipped)} year(s) of the requested range "
                            f"({', '.join(skipped)}) in {landing.path}; those years are left as they were")
    for w in warnings[:20]:
        context.log.warning(w)
    if failures:
        raise dg.Failure(
            description=f"{len(failures)} {source} file(s) could not be loaded; the other years were loaded",
            metadata={"failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures)),
                      "warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in warnings) or "none")})
    return dg.MaterializeResult(metadata={
        "years_loaded": len(per_file),
        "years_without_file": ", ".join(skipped),
        "rows_read": sum(r["rows_read"] for r in per_file),
        "rows_loaded": sum(r["rows_loaded"] for r in per_file),
        "rows_rejected": sum(r["rows_rejected"] for r in per_file),
        "dagster/row_count": rows_in_table,
        "files": dg.MetadataValue.md(
            "| year | file | read | loaded | rejected |\n|---|---|---|---|---|\n" + "\n".join(
                f"| {r['year']} | {r['file']} | {r['rows_read']} | {r['rows_loaded']} | {r['rows_rejected']} |"
                for r in per_file)),
    })


def _yearly_asset(key: dg.AssetKey, source: str, pattern: str, what: str):
    @dg.asset(
        key=key,
        partitions_def=budget_years,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="warehouse",
        group_name=GROUP,
        kinds={"python", "duckdb"},
        owners=["team:lvsocial-data"],
        retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
        description=(
            f"{what} (`budgets/{pattern}`, one file per year) loaded into `raw.{key.path[-1]}`, one row per file "
            "row with its file, row and SHA-256; amounts parsed from `1 234 567,89` with the text as written "
            "beside. Rejected rows go to `audit.rejected_rows` with the reason and each file to `audit.load_log`. "
            "Re-running a year replaces exactly that year; a year without a file is skipped with a warning."
        ),
        metadata={"code": dg.MetadataValue.url(CODE), "table": f"raw.{key.path[-1]}"},
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: Warehouse,
               landing: LandingFolder) -> dg.MaterializeResult:
        return load_years(context, warehouse, landing, source)

    return _asset


budget_expenditure = _yearly_asset(
    RAW_EXPENDITURE, "budget_expenditure", "pasvaldibu_izdevumi_YYYY.csv",
    "Municipal budget execution by functional code of social protection (plan and execution, LVL to 2013, EUR "
    "from 2014; the 2021 file holds both ATVK classifiers)")
social_service_statistics = _yearly_asset(
    RAW_STATISTICS, "social_service_statistics", "soc_pakalpojumi_YYYY.csv",
    "Municipal social-service statistics: clients and spending per service")
social_service_staffing = _yearly_asset(
    RAW_STAFFING, "social_service_staffing", "soc_dienesti_YYYY.csv",
    "Municipal social services' staffing: social-work specialists and other staff at year end")


def _gx_check(frame_query: str, suite: str, build, warehouse: Warehouse, severity) -> dg.AssetCheckResult:
    frame = warehouse.frame(frame_query)
    summary = validate_frame(frame, suite, build)
    return dg.AssetCheckResult(passed=summary.success, metadata=summary.as_metadata(), severity=severity)


@dg.asset_check(asset=RAW_EXPENDITURE, name="gx_raw_budget_expenditure", blocking=True,
                description="Great Expectations suite on raw budget execution: known ATVK and functional codes, "
                            "the year of the file, amounts present and non-negative, the currency of the year (LVL "
                            "to 2013, EUR from 2014), one row per municipality × code × year.")
def gx_raw_budget_expenditure(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _gx_check(budget_suites.EXPENDITURE_QUERY, budget_suites.EXPENDITURE_SUITE,
                     budget_suites.expenditure_expectations, warehouse, dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset=RAW_EXPENDITURE, name="gx_raw_budget_expenditure_plausible",
                description="Great Expectations suite (a warning): execution within a sane ratio of the plan "
                            f"(0–{budget_suites.MAX_EXECUTED_TO_PLANNED}× for 99% of lines) and each 10.000 total "
                            "line equal to the sum of its subcodes.")
def gx_raw_budget_expenditure_plausible(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _gx_check(budget_suites.EXPENDITURE_PLAUSIBLE_QUERY, budget_suites.EXPENDITURE_PLAUSIBLE_SUITE,
                     budget_suites.expenditure_plausible_expectations, warehouse, dg.AssetCheckSeverity.WARN)


@dg.asset_check(asset=RAW_STATISTICS, name="gx_raw_social_service_statistics", blocking=True,
                description="Great Expectations suite on raw social-service statistics: known ATVK codes, the "
                            "year of the file, clients and spending non-negative, the currency of the year, one "
                            "row per municipality × service name × year.")
def gx_raw_social_service_statistics(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _gx_check(budget_suites.STATISTICS_QUERY, budget_suites.STATISTICS_SUITE,
                     budget_suites.statistics_expectations, warehouse, dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset=RAW_STAFFING, name="gx_raw_social_service_staffing", blocking=True,
                description="Great Expectations suite on raw staffing: known ATVK codes, the year of the file, "
                            "headcounts present and plausible, one row per municipality × year.")
def gx_raw_social_service_staffing(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _gx_check(budget_suites.STAFFING_QUERY, budget_suites.STAFFING_SUITE,
                     budget_suites.staffing_expectations, warehouse, dg.AssetCheckSeverity.ERROR)


def nothing_lost_problems(warehouse: Warehouse, source: str, table: str, partition_column: str) -> tuple[int, list]:
    """Files of a source whose rows read differ from rows loaded + rejected, or from what raw and audit hold."""
    rows = warehouse.rows(f"""
            select l.source_file, l.rows_read, l.rows_loaded, l.rows_rejected,
                   (select count(*) from raw.{table} r where r._source_file = l.source_file
                      and cast(r.{partition_column} as varchar) = l.partition_key) as in_raw,
                   (select count(*) from audit.rejected_rows j where j.source = l.source
                      and j.source_file = l.source_file and j.partition_key = l.partition_key) as in_rejected
            from audit.load_log l where l.source = '{source}'
        """)
    return len(rows), [f"{f}: read {r}, loaded {lo}, rejected {rej}, in raw {raw}, in rejected_rows {jr}"
                       for f, r, lo, rej, raw, jr in rows if r != lo + rej or raw != lo or jr != rej]


def _nothing_lost_check(key: dg.AssetKey, source: str):
    table = key.path[-1]

    @dg.asset_check(asset=key, name="rows_read_equal_loaded_plus_rejected", blocking=True,
                    description=f"Nothing lost: for every {source} file, rows read = rows loaded + rows rejected, "
                                "and raw holds exactly the loaded rows.")
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        checked, problems = nothing_lost_problems(warehouse, source, table, budgets.PARTITION_COLUMN)
        return dg.AssetCheckResult(passed=not problems,
                                   metadata={"files_checked": checked, "problems": "\n".join(problems[:20])})

    return _check


def years_in(landing: Landing) -> list[str]:
    """Years for which the landing holds a file of any of the three yearly sources (within the partitions)."""
    valid = set(budget_years.get_partition_keys())
    return sorted({year for source in budgets.FILES for year in landing.files.get(source, {})} & valid)


def _fingerprint(paths) -> str:
    return ";".join(f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in paths)


@dg.sensor(name="budget_files_sensor", minimum_interval_seconds=60,
           target=dg.AssetSelection.assets(RAW_EXPENDITURE, RAW_STATISTICS, RAW_STAFFING).downstream(),
           description="Requests a run of a year (its budget, statistics and staffing files and everything "
                       "downstream) when a yearly file appears or changes in the landing folder's budgets/.")
def budget_files_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    found = landing.scan()
    current = {year: _fingerprint(sorted(p for source in budgets.FILES
                                         for p in found.files.get(source, {}).get(year, [])))
               for year in years_in(found)}
    changed = sorted(y for y in current if seen.get(y) != current[y])
    return dg.SensorResult(run_requests=[dg.RunRequest(partition_key=y, run_key=f"{y}:{current[y]}")
                                         for y in changed],
                           cursor=json.dumps(current, sort_keys=True))


SOURCES = [IngestionSource("budgets", [budget_expenditure, social_service_statistics, social_service_staffing],
                           budget_years, years_in, budgets.ensure_tables)]
CHECKS = [gx_raw_budget_expenditure, gx_raw_budget_expenditure_plausible, gx_raw_social_service_statistics,
          gx_raw_social_service_staffing] + [_nothing_lost_check(key, source) for key, source in (
              (RAW_EXPENDITURE, "budget_expenditure"), (RAW_STATISTICS, "social_service_statistics"),
              (RAW_STAFFING, "social_service_staffing"))]
SENSORS = [budget_files_sensor]
