"""Assembles lvsocial's Dagster definitions; the pieces live in orchestration/defs/."""

import warnings
from datetime import timedelta

import dagster as dg

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

from orchestration.defs import fetch as fetching  # noqa: E402
from orchestration.defs import registry  # noqa: E402
from orchestration.defs.dbt import dbt_resource, lvsocial_dbt_assets  # noqa: E402
from orchestration.defs.publish import published_marts  # noqa: E402
from orchestration.defs.quality import CHECKS as MART_CHECKS  # noqa: E402
from orchestration.defs.register_history import CHECKS as HISTORY_CHECKS  # noqa: E402
from orchestration.defs.report import ASSETS as REPORT_ASSETS  # noqa: E402
from orchestration.resources import default_resources  # noqa: E402
from orchestration.settings import Settings  # noqa: E402
from orchestration.sources import source_modules  # noqa: E402

SETTINGS = Settings()  # this process's: the CLI exports what it was given (orchestration/cli/locations.py)
MODULES = source_modules()
SOURCES = [source for module in MODULES for source in module.SOURCES]
INGESTION_KEYS = [key for source in SOURCES for key in source.asset_keys]

transform = dg.define_asset_job(
    "transform", selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*INGESTION_KEYS),
    description="dbt seeds, models and tests (as checks) on what raw holds; no ingestion.")
register_snapshot = dg.define_asset_job(
    "register_snapshot", selection=dg.AssetSelection.assets(registry.RAW_REGISTRY).downstream(),
    description="One register snapshot partition and everything downstream of it (what the sensor runs).")

monthly_refresh = dg.ScheduleDefinition(
    name="monthly_refresh", job=transform, cron_schedule="0 6 3 * *", execution_timezone="Europe/Riga",
    description="On the 3rd of every month at 06:00 (Riga): rebuild the marts and publish them. New files are "
                "loaded as they land by the sensors; this run makes sure the marts and the published copy follow.")

# Marts and the published copy should be refreshed at least monthly; the UI flags them when they are not.
MART_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=40), warn_window=timedelta(days=32))

defs = dg.Definitions(
    assets=[asset for source in SOURCES for asset in source.assets] + [lvsocial_dbt_assets, published_marts]
    + REPORT_ASSETS,
    asset_checks=[check for module in MODULES for check in module.CHECKS] + MART_CHECKS + HISTORY_CHECKS,
    sensors=[sensor for module in MODULES for sensor in module.SENSORS],
    jobs=[source.job() for source in SOURCES] + [transform, register_snapshot] + fetching.JOBS,
    schedules=[monthly_refresh] + fetching.SCHEDULES,
    resources={**default_resources(SETTINGS), "dbt": dbt_resource(SETTINGS), **fetching.resources()},
    # One process, one step at a time: DuckDB takes one writer, and a reader fails while it writes.
    executor=dg.in_process_executor,
)

defs = defs.map_resolved_asset_specs(
    func=lambda spec: dg.apply_freshness_policy(spec, MART_FRESHNESS),
    selection=dg.AssetSelection.key_prefixes(["marts"], ["reporting"], ["published"]),
)
