"""Regional development programmes' result indicators in Dagster: `reference/programmu_rezultatu_raditaji.csv`
(one file, unpartitioned; loading replaces it) read into `raw.programme_targets`, with its Great Expectations check,
the nothing-lost check and a sensor on the file; the ingestion job `programmes` loads it."""

import dagster as dg

from expectations import programmes as programmes_suite
from ingestion import programmes
from ingestion.sources import PROGRAMME_TARGETS
from orchestration.loading import gx_check, load_partitions, nothing_lost_check, one_by_one, raw_key, whole_file_sensor
from orchestration.resources import LandingFolder, Warehouse
from orchestration.sources import IngestionSource

CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/programmes.py"

RAW_PROGRAMME_TARGETS = raw_key(PROGRAMME_TARGETS.tables[0])


@dg.asset(
    key=RAW_PROGRAMME_TARGETS,
    pool="warehouse",
    group_name=f"{PROGRAMME_TARGETS.area}_raw",
    kinds={"python", "duckdb"},
    owners=["team:lvsocial-data"],
    retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
    description=(
        "Regional development programmes' result indicators (`reference/programmu_rezultatu_raditaji.csv`): "
        "region, programme, period, priority, indicator, service type, baseline and target with their years, unit; "
        "one row per file row in `raw.programme_targets`, region, service type and unit checked against the seeds. "
        "Loading replaces the table."
    ),
    metadata={"code": dg.MetadataValue.url(CODE),
              "table": "raw.programme_targets"},
)
def programme_targets(context: dg.AssetExecutionContext, warehouse: Warehouse,
                      landing: LandingFolder) -> dg.MaterializeResult:
    def missing(key: str) -> None:
        context.log.warning(f"no {PROGRAMME_TARGETS.subfolder}/{PROGRAMME_TARGETS.file_name(key)} in "
                            f"{landing.path}; raw.programme_targets left as it was")

    done = load_partitions(context, warehouse, landing, PROGRAMME_TARGETS,
                           one_by_one(lambda con, key, paths: (*programmes.load(con, paths), {})),
                           key_field="partition", label=lambda key: "programme targets", on_missing=missing)
    if done.failures:
        raise dg.Failure(description="\n".join(done.failures))
    if not done.per_file:
        return dg.MaterializeResult(metadata={"rows_loaded": 0, "dagster/row_count": done.rows_in_table})
    (row,) = done.per_file
    totals = {k: row[k] for k in ("rows_read", "rows_loaded", "rows_rejected")}
    return dg.MaterializeResult(metadata={**row["file_info"], **totals, "dagster/row_count": done.rows_in_table})


gx_raw_programme_targets = gx_check(
    RAW_PROGRAMME_TARGETS, "gx_raw_programme_targets", programmes_suite.QUERY, programmes_suite.SUITE,
    programmes_suite.expectations,
    "Great Expectations suite on raw programme targets: known region, service type and unit, target present and "
    "not negative, the baseline no later than the target, one row per region × programme × indicator × service.")
programme_targets_nothing_lost = nothing_lost_check(
    PROGRAMME_TARGETS, PROGRAMME_TARGETS.tables[0], "Nothing lost: rows read = loaded + rejected, and raw holds "
    "exactly the loaded ones.")
programme_targets_file_sensor = whole_file_sensor("programme_targets_file_sensor", PROGRAMME_TARGETS,
                                             RAW_PROGRAMME_TARGETS)

SOURCES = [IngestionSource(PROGRAMME_TARGETS.job, [programme_targets])]
CHECKS = [gx_raw_programme_targets, programme_targets_nothing_lost]
SENSORS = [programme_targets_file_sensor]
