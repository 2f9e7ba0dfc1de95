"""Assembles lvsocial's Dagster definitions; the pieces live in orchestration/defs/."""

import warnings

import dagster as dg

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

from orchestration.defs import registry  # noqa: E402
from orchestration.defs.dbt import dbt_resource, lvsocial_dbt_assets  # noqa: E402
from orchestration.resources import default_resources  # noqa: E402

refresh_all = dg.define_asset_job(
    "refresh_all", selection=dg.AssetSelection.all(),
    description="Everything: every register snapshot partition in one run, then dbt (models and tests) and checks.")
transform = dg.define_asset_job(
    "transform", selection=dg.AssetSelection.all() - dg.AssetSelection.assets(registry.RAW_REGISTRY),
    description="dbt models and checks on what raw already holds (no ingestion).")

defs = dg.Definitions(
    assets=[registry.registry_provider_services, lvsocial_dbt_assets],
    asset_checks=[registry.gx_raw_registry, registry.registry_nothing_lost],
    sensors=[registry.register_snapshot_sensor],
    jobs=[refresh_all, transform],
    resources={**default_resources(), "dbt": dbt_resource()},
    # One process, one step at a time: DuckDB takes one writer, and a reader fails while it writes.
    executor=dg.in_process_executor,
)
