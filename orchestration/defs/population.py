"""Population in Dagster: the PxWeb-style file (one, unpartitioned; loading replaces it) unpivoted into
`raw.population`, its Great Expectations check, the nothing-lost check and a sensor on the file."""

import dagster as dg

from expectations import population as population_suite
from ingestion import population
from ingestion.landing import Landing
from ingestion.sources import POPULATION, WHOLE_KEY
from orchestration.loading import fingerprint, gx_check, load_partitions, nothing_lost_check, one_by_one, raw_key
from orchestration.resources import LandingFolder, Warehouse
from orchestration.sources import IngestionSource

RAW_POPULATION = raw_key(POPULATION.tables[0])
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/population.py"


def _files(landing: Landing):
    return landing.of(POPULATION).get(WHOLE_KEY, [])


@dg.asset(
    key=RAW_POPULATION,
    pool="warehouse",
    group_name=f"{POPULATION.area}_raw",
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
    def missing(key: str) -> None:
        context.log.warning(f"no {POPULATION.subfolder}/{POPULATION.file_name(key)} in {landing.path}; "
                            "raw.population left as it was")

    done = load_partitions(context, warehouse, landing, POPULATION,
                           one_by_one(lambda con, key, paths: (*population.load(con, paths), {})),
                           key_field="partition", label=lambda key: "population", on_missing=missing)
    if done.failures:  # one file: its error is the description
        raise dg.Failure(description="\n".join(done.failures))
    if not done.per_file:
        return dg.MaterializeResult(metadata={"rows_loaded": 0, "dagster/row_count": done.rows_in_table})
    with warehouse.connect(read_only=True) as con:
        areas, years = con.execute("select count(distinct area_label), count(distinct year) "
                                   "from raw.population").fetchone()
    (row,) = done.per_file
    totals = {k: row[k] for k in ("rows_read", "rows_loaded", "rows_rejected")}
    return dg.MaterializeResult(metadata={**row["file_info"], **totals, "areas": areas, "years": years,
                                          "dagster/row_count": done.rows_in_table})


gx_raw_population = gx_check(
    RAW_POPULATION, "gx_raw_population", population_suite.QUERY, population_suite.SUITE,
    population_suite.expectations,
    "Great Expectations suite on raw population: every label parsed (2021 code or pre-reform name with validity "
    "date), known ATVK codes, one value per area × year, plausible counts.")
population_nothing_lost = nothing_lost_check(
    POPULATION, POPULATION.tables[0], "Nothing lost: area × year values read = loaded + rejected, and raw holds "
    "exactly the loaded ones.")


@dg.sensor(name="population_file_sensor", minimum_interval_seconds=60,
           target=dg.AssetSelection.assets(RAW_POPULATION).downstream(),
           description="Requests a run of the population file and everything downstream when "
                       "reference/iedzivotaji.csv appears or changes.")
def population_file_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    paths = _files(landing.scan())
    current = fingerprint(paths)
    if not paths or current == context.cursor:
        return dg.SensorResult(run_requests=[], cursor=context.cursor)
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=current)], cursor=current)


SOURCES = [IngestionSource(POPULATION.job, [population_by_municipality])]
CHECKS = [gx_raw_population, population_nothing_lost]
SENSORS = [population_file_sensor]
