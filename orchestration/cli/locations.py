"""The locations every command works on (landing folder, warehouse, target, Dagster home), resolved from the flags
and the environment once, and exported so that Dagster code locations, dbt and the Spark worker see the same."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration import config


def apply_locations(args) -> tuple[Path, Path]:
    """Resolve landing folder and warehouse and export them, so Dagster code locations and dbt see the same."""
    from orchestration.engines.spark_engine import spark_dir
    from orchestration.engines.targets import target_name

    landing = config.landing_dir(getattr(args, "landing", None))
    warehouse = config.warehouse_path(getattr(args, "warehouse", None))
    os.environ["LVSOCIAL_LANDING_DIR"] = str(landing)
    os.environ["LVSOCIAL_WAREHOUSE"] = str(warehouse)
    os.environ["LVSOCIAL_TARGET"] = target_name(getattr(args, "target", None))
    if os.environ["LVSOCIAL_TARGET"] == "spark":
        os.environ["LVSOCIAL_SPARK_DIR"] = str(spark_dir(warehouse))
    os.environ["DAGSTER_HOME"] = str(config.dagster_home())
    return landing, warehouse
