"""The dbt build, with dagster-dbt and dbt-core: imported by the dbt step when it runs, never when the definitions
load (orchestration/defs/dbt.py builds those from cached specs; this module's `real_dbt_assets` is what the cache
is made from)."""


import re
import threading
from collections.abc import Mapping
from contextlib import contextmanager
from functools import cache, cached_property
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from ingestion.sources import SOURCES
from orchestration.config import DBT_PROJECT_DIR, MANIFEST, dbt_executable, dbt_target_dir
from orchestration.resources import Warehouse
from orchestration.settings import DUCKDB_MEMORY_CAP_MIB, DUCKDB_MEMORY_SHARE, Settings
from orchestration.sources import all_sources

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
CODE_BASE = "https://github.com/lvsocial/lvsocial/blob/main/dbt_project/"


# Staging folders are named after the landing subfolder of the source's files (`staging/budgets`); their area is
# the sources' (ingestion/sources.py: `municipal`, the prefix of the raw assets' group). Every other folder name
# is the area itself.
STAGING_AREAS = {s.subfolder: s.area for s in SOURCES.values() if s.subfolder != s.area}


def area_of(fqn: list[str]) -> str:
    """The area of a model: the folder under its layer (`models/marts/registry/…` -> `registry`)."""
    if len(fqn) < 4:  # a model directly in its layer's folder belongs to no area
        return "shared"
    return STAGING_AREAS.get(fqn[2], fqn[2]) if fqn[1] == "staging" else fqn[2]


class LvsocialTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """Groups per area and layer from the model's path (`registry_staging`, `esf_marts`, `shared_marts`, …);
        seeds are `reference`."""
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "dbt"
        return f"{area_of(fqn)}_{layer}"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return ["team:lvsocial-data"]

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        path = dbt_resource_props.get("original_file_path")
        if path:
            metadata["code"] = dg.MetadataValue.url(CODE_BASE + path)
        return metadata


translator = LvsocialTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@cache
def real_dbt_assets() -> dg.AssetsDefinition:
    """dagster-dbt's own definition of the project: the specs the light definition is cached from, and what
    dagster-dbt's selection and event code read at run time (manifest, translator, dbt tests as checks). The
    manifest exists: loading the definitions (dbt_specs.load_specs) made sure of it."""
    @dbt_assets(manifest=MANIFEST, project=dbt_project, dagster_dbt_translator=translator, pool="warehouse",
                exclude="resource_type:unit_test", name="lvsocial_dbt_assets")
    def lvsocial_dbt_assets(context: dg.AssetExecutionContext):
        raise NotImplementedError("executed through orchestration.defs.dbt")  # pragma: no cover

    return lvsocial_dbt_assets


class _DbtContext(dg.AssetExecutionContext):
    """The step's context, showing dagster-dbt its own definition (subset as the step is) where it looks for the
    manifest, the translator and the dbt selection; everything else is the step's."""

    def __init__(self, context: dg.AssetExecutionContext):
        super().__init__(context.op_execution_context)
        real = real_dbt_assets()
        if context.is_subset:
            real = real.subset_for(context.selected_asset_keys, context.selected_asset_check_keys)
        self._lvsocial_real = real

    @property
    def assets_def(self) -> dg.AssetsDefinition:
        return self._lvsocial_real


def build(context: dg.AssetExecutionContext, config, dbt: DbtCliResource, warehouse: Warehouse):
    """Build (seeds, models, tests) what the step selected, streaming dagster-dbt's events."""
    context = _DbtContext(context)
    # Absent sources still give (empty) raw tables, so every model builds.
    with warehouse.connect() as con:
        for source in all_sources():
            source.ensure_tables(con)
        # On postgres/spark: the raw tables dbt reads must exist there too (and hold what the file holds).
        warehouse.mirror(con, log=context.log.info)
    # dagster-dbt starts dbt with a copy of this process's environment, which dbt's profile reads.
    warehouse.settings().export()
    if warehouse.target == "spark":
        from orchestration.engines.spark_worker import stop_workers

        stop_workers()  # dbt's session opens the metastore, which one JVM at a time may hold
    target = dbt_target_dir(warehouse.path, warehouse.target)
    fingerprint = project_fingerprint()
    args = ["build", "--exclude", "resource_type:unit_test"]
    if _last_fingerprint(target) != fingerprint:
        # Incremental models (the register's snapshot fact) only add new snapshots; when the project changed
        # (a model, a seed, a macro) since the last build on this warehouse, everything is rebuilt once.
        context.log.info("dbt project changed since the last build on this warehouse (or first build): "
                         "--full-refresh")
        args.append("--full-refresh")
    # dagster-dbt reads row counts and column schemas through dbt's adapter in this process: loading it takes
    # 2 s before dbt starts, and its per-model queries 11 s after dbt ends on the sample. Only column lineage
    # needs the adapter; otherwise both figures come from two queries on the target (with_table_metadata).
    adapter = config.column_lineage and warehouse.target != "spark"
    with _dbt_adapter(adapter):
        invocation = dbt.cli(args, context=context, target_path=target)
    try:
        yield from _stream(invocation, warehouse, adapter, context)
    except Exception as exc:
        hint = memory_hint(str(exc), warehouse.target)
        if hint is None:
            raise
        raise dg.Failure(description=hint) from exc
    if invocation.is_successful():
        (target / FINGERPRINT_FILE).write_text(fingerprint, encoding="utf-8")


def memory_hint(message: str, target: str) -> str | None:
    """What to do when dbt's DuckDB ran out of its memory limit (profiles.yml), or None for other errors."""
    if target != "duckdb" or "Out of Memory Error" not in message:
        return None
    models = sorted(set(re.findall(r"Runtime Error in model (\w+)", message)))
    limit = Settings().duckdb_memory_limit
    return (f"dbt's DuckDB ran out of memory (limit {limit}){' in ' + ', '.join(models) if models else ''}. "
            f"By default the limit is {DUCKDB_MEMORY_SHARE:.0%} of the free memory, at most "
            f"{DUCKDB_MEMORY_CAP_MIB} MiB (docs/design.md#d15); if the machine has more free, set "
            "LVSOCIAL_DUCKDB_MEMORY_LIMIT higher (e.g. 8GB) and run again: a warehouse of 18.7 M register records "
            "failed at 2GB and built at 8GB (BENCHMARKS.md, ×100).")


def _stream(invocation, warehouse: Warehouse, adapter: bool, context):
    try:
        if warehouse.target == "spark":
            # Row counts and column schemas would be read on Spark in this process: a JVM here holding Spark's
            # metastore, which the checks' child processes then could not open. The published copy (pulled from
            # Spark) has the row counts.
            yield from invocation.stream()
        elif adapter:
            events = invocation.stream().fetch_row_counts()
            yield from events.fetch_column_metadata(with_column_lineage=True)
        else:
            yield from with_table_metadata(invocation.stream(), warehouse, invocation.manifest, context.log)
    finally:
        if warehouse.target == "duckdb" and adapter:
            _release_adapter_connection()


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


def with_table_metadata(events, warehouse: Warehouse, manifest: Mapping[str, Any], log) -> list:
    """The dbt build's events, each model's and seed's materialisation with its row count (tables only, as
    dagster-dbt counts them) and its column schema, read in two queries once dbt has ended (on DuckDB, dbt holds
    the file's one write lock until then). Metadata never fails a build: on an error the events go without it."""
    events = list(events)
    nodes = manifest["nodes"]
    relations: dict[str, tuple[str, str, bool]] = {}  # unique_id -> (schema, table, is_view)
    for event in events:
        if isinstance(event, (dg.Output, dg.AssetMaterialization)) and "unique_id" in event.metadata:
            node = nodes.get(event.metadata["unique_id"].text)
            if node is not None:
                relations[node["unique_id"]] = (node["schema"], node["alias"],
                                                node["config"].get("materialized") == "view")
    if not relations:
        return events
    try:
        schemas = sorted({schema for schema, _, _ in relations.values()})
        columns: dict[tuple[str, str], list[dg.TableColumn]] = {}
        for schema, table, column, data_type in warehouse.rows(
                "select table_schema, table_name, column_name, data_type from information_schema.columns "
                f"where table_schema in ({', '.join(_literal(s) for s in schemas)}) "
                "order by table_schema, table_name, ordinal_position"):
            columns.setdefault((schema, table), []).append(dg.TableColumn(name=column, type=data_type))
        tables = [(uid, schema, table) for uid, (schema, table, view) in relations.items() if not view]
        counts = dict(warehouse.rows(" union all ".join(
            f'select {_literal(uid)}, count(*) from "{schema}"."{table}"' for uid, schema, table in tables))) \
            if tables else {}
    except Exception as exc:  # noqa: BLE001  (metadata is informative; the build stands)
        log.warning(f"row counts and column schemas not read from the {warehouse.target} warehouse: {exc}")
        return events
    out = []
    for event in events:
        uid = event.metadata["unique_id"].text if "unique_id" in getattr(event, "metadata", {}) else None
        if uid in relations:
            schema, table, _ = relations[uid]
            extra = {}
            if uid in counts:
                extra.update({"dagster/row_count": int(counts[uid]), "dagster/storage_kind": warehouse.target})
            if (schema, table) in columns:
                extra["dagster/column_schema"] = dg.TableSchema(columns=columns[(schema, table)])
            event = event.with_metadata({**event.metadata, **extra})
        out.append(event)
    return out


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_ADAPTER_WANTED = threading.local()


@contextmanager
def _dbt_adapter(wanted: bool):
    """Whether `dbt.cli` inside this block loads dbt's adapter in this process (LvsocialDbtCli)."""
    _ADAPTER_WANTED.value = wanted
    try:
        yield
    finally:
        _ADAPTER_WANTED.value = True


class LvsocialDbtCli(DbtCliResource):
    """dagster-dbt's resource, told the dbt version instead of asking for it: upstream runs `dbt --version` in a
    subprocess (2–3 s) on every run to learn whether the executable is dbt-core or dbt Fusion. Ours is always the
    dbt-core installed beside this Python (config.dbt_executable), so its package version is the answer."""

    @cached_property
    def _cli_version(self):
        from importlib.metadata import version as installed

        from packaging.version import parse

        return parse(installed("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        """dagster-dbt loads dbt's adapter for every invocation (2 s: dbt's config and macros); lvsocial needs it
        only for column lineage (see `_dbt_adapter`). Without it, the invocation's events carry no adapter."""
        if not getattr(_ADAPTER_WANTED, "value", True):
            return None
        return super()._initialize_dbt_core_adapter(args)


def dbt_cli(target: str) -> DbtCliResource:
    """dbt on `target`: the resource's target, not a `--target` argument, so that whatever dagster-dbt reads
    through dbt's adapter after the build comes from the same engine."""
    return LvsocialDbtCli(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable(),
                          target=target)
