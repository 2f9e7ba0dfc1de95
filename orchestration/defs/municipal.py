"""Municipal money and people in Dagster: budget execution, social-service statistics, staffing and long-term care
clients by age group (the four sources of the job `budgets` in ingestion/sources.py) as yearly partitioned assets
(one run loads every requested year; a year without a file is skipped with a warning), their Great Expectations
checks, the nothing-lost checks, and a sensor that requests a run when a yearly file lands."""

import json

import dagster as dg

from expectations import budgets as budget_suites
from ingestion import budgets
from ingestion.landing import Landing
from ingestion.sources import (
    BUDGET_EXPENDITURE,
    LONG_TERM_CARE_CLIENTS,
    SOCIAL_SERVICE_STAFFING,
    SOCIAL_SERVICE_STATISTICS,
    Source,
    of_job,
)
from orchestration.loading import fingerprint, gx_check, load_partitions, nothing_lost_check, one_by_one, raw_key
from orchestration.resources import LandingFolder, Warehouse
from orchestration.sources import IngestionSource, partitions_def

# The four yearly sources: one job, one partition per year (ingestion/sources.py).
YEARLY = of_job(BUDGET_EXPENDITURE.job)
budget_years = partitions_def(BUDGET_EXPENDITURE)  # one object for the four (the same declaration of years)
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/budgets.py"
GROUP = f"{BUDGET_EXPENDITURE.area}_raw"

RAW_EXPENDITURE, RAW_STATISTICS, RAW_STAFFING, RAW_LONG_TERM_CARE = (raw_key(s.tables[0]) for s in YEARLY)


def load_years(context: dg.AssetExecutionContext, warehouse: Warehouse, landing: LandingFolder,
               source: Source) -> dg.MaterializeResult:
    """Load every requested year of one yearly source; a year without a file is skipped with a warning."""
    def load_one(con, key, paths):
        return (*budgets.load_year(con, source.name, int(key), paths), {})

    done = load_partitions(context, warehouse, landing, source, one_by_one(load_one), key_field="year",
                           label=lambda key: f"{source.name} {key}")
    if done.missing:
        context.log.warning(f"{source.name}: no file for {len(done.missing)} year(s) of the requested range "
                            f"({', '.join(done.missing)}) in {landing.path}; those years are left as they were")
    done.raise_failures(f"{{n}} {source.name} file(s) could not be loaded; the other years were loaded")
    return dg.MaterializeResult(metadata={
        "years_loaded": len(done.per_file),
        "years_without_file": ", ".join(done.missing),
        **done.sums(),
        "dagster/row_count": done.rows_in_table,
        "files": done.files_md({"year": "year", "file": "file", "rows_read": "read", "rows_loaded": "loaded",
                                "rows_rejected": "rejected"}),
    })


def _yearly_asset(source: Source, what: str):
    key = raw_key(source.tables[0])

    @dg.asset(
        key=key,
        partitions_def=partitions_def(source),
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="warehouse",
        group_name=GROUP,
        kinds={"python", "duckdb"},
        owners=["team:lvsocial-data"],
        retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
        description=(
            f"{what} (`{source.subfolder}/{source.file_name('YYYY')}`, one file per year) loaded into "
            f"`raw.{key.path[-1]}`, one row per file row with its file, row and SHA-256; amounts parsed from "
            "`1 234 567,89` with the text as written beside. Rejected rows go to `audit.rejected_rows` with the reason "
            "and each file to `audit.load_log`. Re-running a year replaces exactly that year; a year without a file "
            "is skipped with a warning."
        ),
        metadata={"code": dg.MetadataValue.url(CODE), "table": f"raw.{key.path[-1]}"},
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: Warehouse,
               landing: LandingFolder) -> dg.MaterializeResult:
        return load_years(context, warehouse, landing, source)

    return _asset


budget_expenditure = _yearly_asset(
    BUDGET_EXPENDITURE,
    "Municipal budget execution by functional code of social protection (plan and execution, LVL to 2013, EUR "
    "from 2014; the 2021 file holds both ATVK classifiers)")
social_service_statistics = _yearly_asset(
    SOCIAL_SERVICE_STATISTICS,
    "Municipal social-service statistics: clients and spending per service")
social_service_staffing = _yearly_asset(
    SOCIAL_SERVICE_STAFFING,
    "Municipal social services' staffing: social-work specialists and other staff at year end")
long_term_care_clients = _yearly_asset(
    LONG_TERM_CARE_CLIENTS,
    "The ministry's statistics of long-term social care: clients at year end and new clients in the year by age "
    "group (18–64, 65–79, 80–89, 90+) per municipality")


gx_raw_budget_expenditure = gx_check(
    RAW_EXPENDITURE, "gx_raw_budget_expenditure", budget_suites.EXPENDITURE_QUERY, budget_suites.EXPENDITURE_SUITE,
    budget_suites.expenditure_expectations,
    "Great Expectations suite on raw budget execution: known ATVK and functional codes, the year of the file, "
    "amounts present and non-negative, the currency of the year (LVL to 2013, EUR from 2014), one row per "
    "municipality × code × year.")
gx_raw_budget_expenditure_plausible = gx_check(
    RAW_EXPENDITURE, "gx_raw_budget_expenditure_plausible", budget_suites.EXPENDITURE_PLAUSIBLE_QUERY,
    budget_suites.EXPENDITURE_PLAUSIBLE_SUITE, budget_suites.expenditure_plausible_expectations,
    "Great Expectations suite (a warning): execution within a sane ratio of the plan "
    f"(0–{budget_suites.MAX_EXECUTED_TO_PLANNED}× for 99% of lines) and each 10.000 total line equal to the sum of "
    "its subcodes.", blocking=False)
gx_raw_social_service_statistics = gx_check(
    RAW_STATISTICS, "gx_raw_social_service_statistics", budget_suites.STATISTICS_QUERY,
    budget_suites.STATISTICS_SUITE, budget_suites.statistics_expectations,
    "Great Expectations suite on raw social-service statistics: known ATVK codes, the year of the file, clients "
    "and spending non-negative, the currency of the year, one row per municipality × service name × year.")
gx_raw_social_service_staffing = gx_check(
    RAW_STAFFING, "gx_raw_social_service_staffing", budget_suites.STAFFING_QUERY, budget_suites.STAFFING_SUITE,
    budget_suites.staffing_expectations,
    "Great Expectations suite on raw staffing: known ATVK codes, the year of the file, headcounts present and "
    "plausible, one row per municipality × year.")
gx_raw_long_term_care_clients = gx_check(
    RAW_LONG_TERM_CARE, "gx_raw_long_term_care_clients", budget_suites.LONG_TERM_CARE_QUERY,
    budget_suites.LONG_TERM_CARE_SUITE, budget_suites.long_term_care_expectations,
    "Great Expectations suite on raw long-term care clients: known ATVK codes and age groups, the year of the file, "
    "clients at year end present and plausible, one row per municipality × age group × year.")


def years_in(landing: Landing) -> list[str]:
    """Years for which the landing holds a file of any of the four yearly sources (within the partitions)."""
    return SOURCES[0].keys_in(landing)


@dg.sensor(name="budget_files_sensor", minimum_interval_seconds=60,
           target=dg.AssetSelection.assets(*(raw_key(s.tables[0]) for s in YEARLY)).downstream(),
           description="Requests a run of a year (its budget, statistics, staffing and long-term care files and "
                       "everything downstream) when a yearly file appears or changes in the landing folder's budgets/.")
def budget_files_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    found = landing.scan()
    current = {year: fingerprint(sorted(p for source in YEARLY for p in found.of(source).get(year, [])))
               for year in years_in(found)}
    changed = sorted(y for y in current if seen.get(y) != current[y])
    return dg.SensorResult(run_requests=[dg.RunRequest(partition_key=y, run_key=f"{y}:{current[y]}")
                                         for y in changed],
                           cursor=json.dumps(current, sort_keys=True))


SOURCES = [IngestionSource(BUDGET_EXPENDITURE.job,
                           [budget_expenditure, social_service_statistics, social_service_staffing,
                            long_term_care_clients])]
CHECKS = [gx_raw_budget_expenditure, gx_raw_budget_expenditure_plausible, gx_raw_social_service_statistics,
          gx_raw_social_service_staffing, gx_raw_long_term_care_clients] + [nothing_lost_check(
              source, source.tables[0], f"Nothing lost: for every {source.name} file, rows read = rows loaded + "
              "rows rejected, and raw holds exactly the loaded rows.") for source in YEARLY]
SENSORS = [budget_files_sensor]
