"""The dbt project as Dagster assets: seeds, staging, intermediate, marts and reporting models, with dbt tests
as asset checks. Source keys come from `meta.dagster.asset_key`, equal to the ingestion assets' keys, so the
lineage runs unbroken from a landing file to a mart."""


import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.config import DBT_PROJECT_DIR, MANIFEST, dbt_executable
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


@dbt_assets(manifest=MANIFEST, project=dbt_project, dagster_dbt_translator=translator, pool="warehouse",
            exclude="resource_type:unit_test")
def lvsocial_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    # Absent sources still give (empty) raw tables, so every model builds.
    with warehouse.connect() as con:
        for source in all_sources():
            source.ensure_tables(con)
    os.environ["LVSOCIAL_WAREHOUSE"] = warehouse.path
    # Row counts and column lineage are read through dbt's adapter in this process, after each model is built.
    invocation = dbt.cli(["build", "--exclude", "resource_type:unit_test"], context=context)
    try:
        yield from invocation.stream().fetch_row_counts().fetch_column_metadata()
    finally:
        _release_adapter_connection()


def _release_adapter_connection() -> None:
    """dbt-duckdb keeps its DuckDB handle open for the life of the process; the next steps (checks reading the
    warehouse read-only, dbt docs in a subprocess) need it closed."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())
