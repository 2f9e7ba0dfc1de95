"""Population in Dagster: the PxWeb-style files (each one, unpartitioned; loading replaces it) unpivoted into
`raw.population` (by municipality) and `raw.population_by_age` (by territory and age group), each with its Great
Expectations check, the nothing-lost check and a sensor on the file; one ingestion job loads both."""

import dagster as dg

from expectations import population as population_suite
from expectations import population_age as population_age_suite
from ingestion import population, population_age
from ingestion.sources import POPULATION, POPULATION_BY_AGE
from orchestration.loading import gx_check, load_partitions, nothing_lost_check, one_by_one, raw_key, whole_file_sensor
from orchestration.resources import LandingFolder, Warehouse
from orchestration.sources import IngestionSource

RAW_POPULATION = raw_key(POPULATION.tables[0])
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/population.py"


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


population_file_sensor = whole_file_sensor("population_file_sensor", POPULATION, RAW_POPULATION)


# --- by territory and age group (reference/iedzivotaji_vecuma_grupas.csv): the same shape as above ---

RAW_POPULATION_BY_AGE = raw_key(POPULATION_BY_AGE.tables[0])


@dg.asset(
    key=RAW_POPULATION_BY_AGE,
    pool="warehouse",
    group_name=f"{POPULATION_BY_AGE.area}_raw",
    kinds={"python", "duckdb"},
    owners=["team:lvsocial-data"],
    retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
    description=(
        "Population at the start of the year by territory (2021 municipality, or its city, town or parish) and age "
        "group (`reference/iedzivotaji_vecuma_grupas.csv`, wide PxWeb-style) unpivoted into `raw.population_by_age`, "
        "one row per territory × age group × year. Loading replaces the table."
    ),
    metadata={"code": dg.MetadataValue.url(CODE.replace("population.py", "population_age.py")),
              "table": "raw.population_by_age"},
)
def population_by_age(context: dg.AssetExecutionContext, warehouse: Warehouse,
                      landing: LandingFolder) -> dg.MaterializeResult:
    def missing(key: str) -> None:
        context.log.warning(f"no {POPULATION_BY_AGE.subfolder}/{POPULATION_BY_AGE.file_name(key)} in "
                            f"{landing.path}; raw.population_by_age left as it was")

    done = load_partitions(context, warehouse, landing, POPULATION_BY_AGE,
                           one_by_one(lambda con, key, paths: (*population_age.load(con, paths), {})),
                           key_field="partition", label=lambda key: "population by age", on_missing=missing)
    if done.failures:
        raise dg.Failure(description="\n".join(done.failures))
    if not done.per_file:
        return dg.MaterializeResult(metadata={"rows_loaded": 0, "dagster/row_count": done.rows_in_table})
    (row,) = done.per_file
    totals = {k: row[k] for k in ("rows_read", "rows_loaded", "rows_rejected")}
    return dg.MaterializeResult(metadata={**row["file_info"], **totals, "dagster/row_count": done.rows_in_table})


gx_raw_population_by_age = gx_check(
    RAW_POPULATION_BY_AGE, "gx_raw_population_by_age", population_age_suite.QUERY, population_age_suite.SUITE,
    population_age_suite.expectations,
    "Great Expectations suite on raw population by age: 2021 codes, known age groups, one value per territory × age "
    "group × year, and the groups adding up to the total.")
population_by_age_nothing_lost = nothing_lost_check(
    POPULATION_BY_AGE, POPULATION_BY_AGE.tables[0], "Nothing lost: values read = loaded + rejected, and raw holds "
    "exactly the loaded ones.")
population_by_age_file_sensor = whole_file_sensor("population_by_age_file_sensor", POPULATION_BY_AGE,
                                             RAW_POPULATION_BY_AGE)


SOURCES = [IngestionSource(POPULATION.job, [population_by_municipality, population_by_age])]
CHECKS = [gx_raw_population, population_nothing_lost, gx_raw_population_by_age, population_by_age_nothing_lost]
SENSORS = [population_file_sensor, population_by_age_file_sensor]
