"""Population in Dagster: the PxWeb-style files (each one, unpartitioned; loading replaces it) unpivoted into
`raw.population` (by municipality) and `raw.population_by_age` (by territory and age group), each with its Great
Expectations check, the nothing-lost check and a sensor on the file."""

import json

import dagster as dg

from expectations import population as population_suite
from expectations import population_age as population_age_suite
from expectations.runner import validate_frame
from ingestion import population, population_age
from ingestion.common import IngestionError
from ingestion.landing import Landing
from orchestration.defs.budgets import nothing_lost_problems
from orchestration.resources import LandingFolder, Warehouse
from orchestration.sources import IngestionSource

RAW_POPULATION = dg.AssetKey(["raw", "population"])
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/population.py"


def _files(landing: Landing):
    return landing.files.get("population", {}).get("iedzivotaji", [])


@dg.asset(
    key=RAW_POPULATION,
    pool="warehouse",
    group_name="population_raw",
    kinds={"python", "duckdb"},
    owners=["team:lvsocial-data"],
    retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
    description=(
        "Population at the start of the year by municipality (`reference/iedzivotaji.csv`, the statistics "
        "bureau's wide PxWeb export) unpivoted into `raw.population`, one row per area × year: labels parsed into "
        "a 2021 ATVK code (`LV0040000 Ogres novads`) or a pre-reform name with its validity date (`Ogres novads "
        "(līdz 01.07.2021.)`); `..` kept as a row without a number. Loading replaces the table."
    ),
    metadata={"code": dg.MetadataValue.url(CODE), "table": "raw.population"},
)
def population_by_municipality(context: dg.AssetExecutionContext, warehouse: Warehouse,
                               landing: LandingFolder) -> dg.MaterializeResult:
    paths = _files(landing.scan())
    with warehouse.connect() as con:
        population.ensure_tables(con)
        if not paths:
            context.log.warning(f"no reference/iedzivotaji.csv in {landing.path}; raw.population left as it was")
            rows = con.execute("select count(*) from raw.population").fetchone()[0]
            return dg.MaterializeResult(metadata={"rows_loaded": 0, "dagster/row_count": rows})
        try:
            totals, notes = population.load(con, paths)
        except IngestionError as exc:
            raise dg.Failure(description=str(exc)) from exc
        rows = con.execute("select count(*) from raw.population").fetchone()[0]
        warehouse.mirror(con, [population.SOURCE], log=context.log.info)  # to the postgres/spark target
        areas, years = con.execute("select count(distinct area_label), count(distinct year) "
                                   "from raw.population").fetchone()
    for note in notes[:20]:
        context.log.warning(note)
    file_info = totals.pop("files")[0]
    return dg.MaterializeResult(metadata={**file_info, **totals, "areas": areas, "years": years,
                                          "dagster/row_count": rows})


@dg.asset_check(asset=RAW_POPULATION, name="gx_raw_population", blocking=True,
                description="Great Expectations suite on raw population: every label parsed (2021 code or "
                            "pre-reform name with validity date), known ATVK codes, one value per area × year, "
                            "plausible counts.")
def gx_raw_population(warehouse: Warehouse) -> dg.AssetCheckResult:
    frame = warehouse.frame(population_suite.QUERY)
    summary = validate_frame(frame, population_suite.SUITE, population_suite.expectations)
    return dg.AssetCheckResult(passed=summary.success, metadata=summary.as_metadata(),
                               severity=dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset=RAW_POPULATION, name="rows_read_equal_loaded_plus_rejected", blocking=True,
                description="Nothing lost: area × year values read = loaded + rejected, and raw holds exactly the "
                            "loaded ones.")
def population_nothing_lost(warehouse: Warehouse) -> dg.AssetCheckResult:
    checked, problems = nothing_lost_problems(warehouse, population.SOURCE, population.TABLE,
                                              population.PARTITION_COLUMN)
    return dg.AssetCheckResult(passed=not problems, metadata={"files_checked": checked,
                                                              "problems": "\n".join(problems[:20])})


@dg.sensor(name="population_file_sensor", minimum_interval_seconds=60,
           target=dg.AssetSelection.assets(RAW_POPULATION).downstream(),
           description="Requests a run of the population file and everything downstream when "
                       "reference/iedzivotaji.csv appears or changes.")
def population_file_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    paths = _files(landing.scan())
    current = json.dumps([f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in paths])
    if not paths or current == context.cursor:
        return dg.SensorResult(run_requests=[], cursor=context.cursor)
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=current)], cursor=current)


# --- Population by territory and age group (reference/iedzivotaji_vecuma_grupas.csv): the same shape as above ---

RAW_POPULATION_BY_AGE = dg.AssetKey(["raw", "population_by_age"])


def _age_files(landing: Landing):
    return landing.files.get("population_by_age", {}).get("iedzivotaji_vecuma_grupas", [])


@dg.asset(key=RAW_POPULATION_BY_AGE, pool="warehouse", group_name="population_raw", kinds={"python", "duckdb"},
          owners=["team:lvsocial-data"], retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
          description="Population at the start of the year by territory (2021 municipality, or its city, town or "
                      "parish) and age group (`reference/iedzivotaji_vecuma_grupas.csv`, wide PxWeb-style) "
                      "unpivoted into `raw.population_by_age`, one row per territory × age group × year.",
          metadata={"code": dg.MetadataValue.url(CODE.replace("population.py", "population_age.py")),
                    "table": "raw.population_by_age"})
def population_by_age(context: dg.AssetExecutionContext, warehouse: Warehouse,
                      landing: LandingFolder) -> dg.MaterializeResult:
    paths = _age_files(landing.scan())
    with warehouse.connect() as con:
        population_age.ensure_tables(con)
        if paths:
            try:
                totals, notes = population_age.load(con, paths)
            except IngestionError as exc:
                raise dg.Failure(description=str(exc)) from exc
            warehouse.mirror(con, [population_age.SOURCE], log=context.log.info)
        else:
            context.log.warning(f"no reference/iedzivotaji_vecuma_grupas.csv in {landing.path}; raw left as it was")
            totals, notes = {"files": [{}]}, []
        rows = con.execute("select count(*) from raw.population_by_age").fetchone()[0]
    for note in notes[:20]:
        context.log.warning(note)
    return dg.MaterializeResult(metadata={**totals.pop("files")[0], **totals, "dagster/row_count": rows})


@dg.asset_check(asset=RAW_POPULATION_BY_AGE, name="gx_raw_population_by_age", blocking=True,
                description="Great Expectations suite on raw population by age: 2021 codes, known age groups, one "
                            "value per territory × age group × year, and the groups adding up to the total.")
def gx_raw_population_by_age(warehouse: Warehouse) -> dg.AssetCheckResult:
    summary = validate_frame(warehouse.frame(population_age_suite.QUERY), population_age_suite.SUITE,
                             population_age_suite.expectations)
    return dg.AssetCheckResult(passed=summary.success, metadata=summary.as_metadata(),
                               severity=dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset=RAW_POPULATION_BY_AGE, name="rows_read_equal_loaded_plus_rejected", blocking=True,
                description="Nothing lost: values read = loaded + rejected, and raw holds exactly the loaded ones.")
def population_by_age_nothing_lost(warehouse: Warehouse) -> dg.AssetCheckResult:
    checked, problems = nothing_lost_problems(warehouse, population_age.SOURCE, population_age.TABLE,
                                              population_age.PARTITION_COLUMN)
    return dg.AssetCheckResult(passed=not problems, metadata={"files_checked": checked,
                                                              "problems": "\n".join(problems[:20])})


@dg.sensor(name="population_by_age_file_sensor", minimum_interval_seconds=60,
           target=dg.AssetSelection.assets(RAW_POPULATION_BY_AGE).downstream(),
           description="Requests a run of the population-by-age file and everything downstream when it changes.")
def population_by_age_file_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    paths = _age_files(landing.scan())
    current = json.dumps([f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in paths])
    if not paths or current == context.cursor:
        return dg.SensorResult(run_requests=[], cursor=context.cursor)
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=current)], cursor=current)


SOURCES = [IngestionSource("population", [population_by_municipality], None,
                           lambda landing: ["all"] if _files(landing) else [], population.ensure_tables),
           IngestionSource("population_by_age", [population_by_age], None,
                           lambda landing: ["all"] if _age_files(landing) else [], population_age.ensure_tables)]
CHECKS = [gx_raw_population, population_nothing_lost, gx_raw_population_by_age, population_by_age_nothing_lost]
SENSORS = [population_file_sensor, population_by_age_file_sensor]
