"""Population in Dagster: the PxWeb-style files (each one, unpartitioned; loading replaces it) unpivoted into
`raw.population` (by municipality) and `raw.population_by_age` (by territory and age group), each with its Great
Expectations check, the nothing-lost check and a sensor on the file; one ingestion job loads both."""

from expectations import population as population_suite
from expectations import population_age as population_age_suite
from ingestion import population, population_age
from ingestion.sources import POPULATION, POPULATION_BY_AGE
from orchestration.loading import gx_check, nothing_lost_check, raw_key, whole_file_asset, whole_file_sensor
from orchestration.resources import Warehouse
from orchestration.sources import IngestionSource

RAW_POPULATION = raw_key(POPULATION.tables[0])
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/population.py"


def _areas_and_years(warehouse: Warehouse) -> dict:
    with warehouse.connect(read_only=True) as con:
        areas, years = con.execute("select count(distinct area_label), count(distinct year) "
                                   "from raw.population").fetchone()
    return {"areas": areas, "years": years}


population_by_municipality = whole_file_asset(
    POPULATION, population.load, label="population", code=CODE, extra_metadata=_areas_and_years, description=(
        "Population at the start of the year by municipality (`reference/iedzivotaji.csv`, the statistics "
        "bureau's wide PxWeb export) unpivoted into `raw.population`, one row per area × year: labels parsed into "
        "a 2021 ATVK code (`LV0040000 Ogres novads`) or a pre-reform name with its validity date (`Ogres novads "
        "(līdz 01.07.2021.)`); `..` kept as a row without a number. Loading replaces the table."))


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


population_by_age = whole_file_asset(
    POPULATION_BY_AGE, population_age.load, label="population by age",
    code=CODE.replace("population.py", "population_age.py"), description=(
        "Population at the start of the year by territory (2021 municipality, or its city, town or parish) and age "
        "group (`reference/iedzivotaji_vecuma_grupas.csv`, wide PxWeb-style) unpivoted into `raw.population_by_age`, "
        "one row per territory × age group × year. Loading replaces the table."))


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
