"""The dbt project as Dagster assets: seeds, staging, intermediate, marts and reporting models, with dbt tests
as asset checks. Source keys come from `meta.dagster.asset_key`, equal to the ingestion assets' keys, so the
lineage runs unbroken from a landing file to a mart."""


import os
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.config import DBT_PROJECT_DIR, MANIFEST, dbt_executable, dbt_target_dir
from orchestration.resources import Warehouse
from orchestration.sources import all_sources

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
CODE_BASE = "https://github.com/lvsocial/lvsocial/blob/main/dbt_project/"

if not MANIFEST.exists():
    raise FileNotFoundError(
        f"The dbt manifest {MANIFEST} is missing: run `lvsocial prepare` (or `lvsocial run`, which prepares it) "
        "before loading the Dagster definitions.")


class LvsocialTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """Groups per source and layer (`registry_staging`, `esf_marts`, `shared_marts`, …); seeds are `reference`."""
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "dbt"
        if layer == "staging" and len(fqn) > 3:
            source = {"budgets": "municipal", "population": "municipal"}.get(fqn[2], fqn[2])
        else:
            source = source_of_model(dbt_resource_props["name"])
        return f"{source}_{layer}"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return ["team:lvsocial-data"]

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        path = dbt_resource_props.get("original_file_path")
        if path:
            metadata["code"] = dg.MetadataValue.url(CODE_BASE + path)
        return metadata


_SOURCE_WORDS = [
    ("shared", ("municipalit", "dim_service")),  # the map and the taxonomy serve every source
    ("esf", ("esf",)),
    ("municipal", ("municipal", "expenditure", "social_service", "social_work", "population", "staffing",
                   "home_and_day", "per_capita", "budget", "statistics", "codes_dated")),
    ("registry", ("registry", "provider", "register")),
]


def source_of_model(name: str) -> str:
    """The source a model belongs to, from its name; models every source uses (the map, services) are `shared`."""
    for source, words in _SOURCE_WORDS:
        if any(word in name for word in words):
            return source
    return "shared"


translator = LvsocialTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(dg.Config):
    # Column lineage: sqlglot reads every model's SQL after the build. It shows which upstream columns feed each
    # column in the UI, and costs about 12 s of a one-minute run on the sample (a fifth), so it is asked for:
    # `lvsocial run --column-lineage`, or this config in the launchpad. Some DuckDB-specific SQL is beyond
    # sqlglot; those models get none, and its traceback goes to the run's log.
    column_lineage: bool = False


@dbt_assets(manifest=MANIFEST, project=dbt_project, dagster_dbt_translator=translator, pool="warehouse",
            exclude="resource_type:unit_test")
def lvsocial_dbt_assets(context: dg.AssetExecutionContext, config: DbtBuildConfig, dbt: DbtCliResource,
                        warehouse: Warehouse):
    # Absent sources still give (empty) raw tables, so every model builds.
    with warehouse.connect() as con:
        for source in all_sources():
            source.ensure_tables(con)
        # On postgres/spark: the raw tables dbt reads must exist there too (and hold what the file holds).
        warehouse.mirror(con, log=context.log.info)
    os.environ["LVSOCIAL_WAREHOUSE"] = warehouse.path
    if warehouse.target == "spark":
        from ingestion.spark_raw import stop_workers
        from orchestration.targets import spark_dir

        os.environ["LVSOCIAL_SPARK_DIR"] = str(spark_dir(warehouse.path))
        stop_workers()  # dbt's session opens the metastore, which one JVM at a time may hold
    # Row counts and column schemas are read through dbt's adapter in this process, after each model is built.
    target = dbt_target_dir(warehouse.path, warehouse.target)
    fingerprint = project_fingerprint()
    args = ["build", "--exclude", "resource_type:unit_test"]
    if _last_fingerprint(target) != fingerprint:
        # Incremental models (the register's snapshot fact) only add new snapshots; when the project changed
        # (a model, a seed, a macro) since the last build on this warehouse, everything is rebuilt once.
        context.log.info("dbt project changed since the last build on this warehouse (or first build): "
                         "--full-refresh")
        args.append("--full-refresh")
    invocation = dbt.cli(args, context=context, target_path=target)
    try:
        if warehouse.target == "spark":
            # Row counts and column schemas would be read through dbt-spark's adapter in this process: a JVM here
            # holding Spark's metastore, which the checks' child processes then could not open. The published copy
            # (pulled from Spark) has the row counts.
            yield from invocation.stream()
        else:
            events = invocation.stream().fetch_row_counts()
            yield from events.fetch_column_metadata(with_column_lineage=config.column_lineage)
    finally:
        if warehouse.target == "duckdb":
            _release_adapter_connection()
    if invocation.is_successful():
        (target / FINGERPRINT_FILE).write_text(fingerprint, encoding="utf-8")


FINGERPRINT_FILE = "lvsocial_project_fingerprint.txt"


def project_fingerprint() -> str:
    """A hash of every model's, seed's and macro's checksum in the parsed manifest: it changes when the SQL or
    the reference data that built the warehouse change."""
    import hashlib
    import json

    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    parts = sorted(f"{uid}:{node['checksum']['checksum']}" for uid, node in manifest["nodes"].items()
                   if node["resource_type"] in ("model", "seed", "snapshot"))
    parts += sorted(f"{uid}:{hashlib.sha256(macro['macro_sql'].encode()).hexdigest()}"
                    for uid, macro in manifest["macros"].items() if macro["package_name"] == "lvsocial")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _last_fingerprint(target) -> str | None:
    path = target / FINGERPRINT_FILE
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def _release_adapter_connection() -> None:
    """dbt-duckdb keeps its DuckDB handle open for the life of the process; the next steps (checks reading the
    warehouse read-only, dbt docs in a subprocess) need it closed."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


class LvsocialDbtCli(DbtCliResource):
    """dagster-dbt's resource, told the dbt version instead of asking for it: upstream runs `dbt --version` in a
    subprocess (2–3 s) on every run to learn whether the executable is dbt-core or dbt Fusion. Ours is always the
    dbt-core installed beside this Python (config.dbt_executable), so its package version is the answer."""

    @cached_property
    def _cli_version(self):
        from importlib.metadata import version as installed

        from packaging.version import parse

        return parse(installed("dbt-core"))


def dbt_resource() -> DbtCliResource:
    """dbt on the target of this process (`lvsocial run --target`, $LVSOCIAL_TARGET): the resource's target, not a
    `--target` argument, so that the row counts and column schemas dagster-dbt reads after the build come from
    the same engine."""
    from orchestration.targets import target_name

    return LvsocialDbtCli(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable(),
                          target=target_name())
