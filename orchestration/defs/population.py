"""Population in Dagster: the PxWeb-style file (one, unpartitioned; loading replaces it) unpivoted into
`raw.population`, its Great Expectations check, the nothing-lost check and a sensor on the file."""

import json

import dagster as dg

from expectations import population as population_suite
from expectations.runner import validate_frame
from ingestion import population
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


SOURCES = [IngestionSource("population", [population_by_municipality], None,
                           lambda landing: ["all"] if _files(landing) else [], population.ensure_tables)]
CHECKS = [gx_raw_population, population_nothing_lost]
SENSORS = [population_file_sensor]
