"""Regional development programmes' result indicators in Dagster: `reference/programmu_rezultatu_raditaji.csv`
(one file, unpartitioned; loading replaces it) read into `raw.programme_targets`, with its Great Expectations check,
the nothing-lost check and a sensor on the file; the ingestion job `programmes` loads it."""

from expectations import programmes as programmes_suite
from ingestion import programmes
from ingestion.sources import PROGRAMME_TARGETS
from orchestration.loading import gx_check, nothing_lost_check, raw_key, whole_file_asset, whole_file_sensor
from orchestration.sources import IngestionSource

CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/programmes.py"

RAW_PROGRAMME_TARGETS = raw_key(PROGRAMME_TARGETS.tables[0])


programme_targets = whole_file_asset(
    PROGRAMME_TARGETS, programmes.load, label="programme targets", code=CODE, description=(
        "Regional development programmes' result indicators (`reference/programmu_rezultatu_raditaji.csv`): "
        "region, programme, period, priority, indicator, service type, baseline and target with their years, unit; "
        "one row per file row in `raw.programme_targets`, region, service type and unit checked against the seeds. "
        "Loading replaces the table."))


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
