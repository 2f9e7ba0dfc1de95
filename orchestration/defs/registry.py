"""The register source in Dagster: snapshots as dynamic partitions keyed by snapshot date, the ingestion asset
that loads them into raw (all requested partitions in one run), its Great Expectations check, the warning check on
service wording no classification rule knows, and the sensor that adds a partition and requests a run when a new
snapshot file lands."""


import datetime as dt
import json

import dagster as dg

from expectations import registry as registry_suite
from ingestion import registry
from ingestion.sources import REGISTRY
from orchestration.loading import fingerprint, load_partitions, nothing_lost_check, raw_key
from orchestration.resources import LandingFolder, Warehouse
from orchestration.run_scope import run_partition_range
from orchestration.snapshot_checks import validate_snapshots
from orchestration.sources import IngestionSource, partitions_def

RAW_REGISTRY = raw_key(REGISTRY.tables[0])
register_snapshots = partitions_def(REGISTRY)
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/registry.py"


class ReloadConfig(dg.Config):
    force_reload: bool = False  # load again even files already loaded unchanged by this parser version


@dg.asset(
    key=RAW_REGISTRY,
    partitions_def=register_snapshots,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    group_name=f"{REGISTRY.area}_raw",
    kinds={"python", "duckdb"},
    owners=["team:lvsocial-data"],
    retry_policy=dg.RetryPolicy(max_retries=1, delay=2),
    description=(
        "Register snapshots (JSON open data 2017– and legacy CSV/XLSX exports 2009–2016) loaded into "
        "`raw.registry_provider_services`, one row per register record with its file, row and SHA-256; rejected "
        "records go to `audit.rejected_rows` with the reason and each file to `audit.load_log`. Re-running a "
        "partition replaces exactly that snapshot."
    ),
    metadata={"code": dg.MetadataValue.url(CODE), "table": "raw.registry_provider_services"},
)
def registry_provider_services(context: dg.AssetExecutionContext, config: ReloadConfig, warehouse: Warehouse,
                               landing: LandingFolder) -> dg.MaterializeResult:
    def load(con, jobs):
        # Files are parsed in worker processes while this one writes them, in snapshot order.
        loaded = registry.load_snapshots(con, [(dt.date.fromisoformat(key), paths) for key, paths in jobs],
                                         force=config.force_reload)
        for (key, paths), (_, totals, notes, error) in zip(jobs, loaded):
            yield key, paths, error if error is not None else (totals, notes, {})

    def missing(key: str) -> None:
        context.log.warning(f"snapshot {key}: no file for it in {landing.path} any more; raw keeps "
                            "what was loaded before")

    done = load_partitions(
        context, warehouse, landing, REGISTRY, load, key_field="snapshot_date", label=lambda key: f"snapshot {key}",
        on_missing=missing, count_always=False,
        suffix=lambda totals: " (unchanged: already loaded from this file)" if totals.get("unchanged") else "")
    done.raise_failures("{n} register file(s) could not be loaded; the other snapshots were loaded", 200)
    return dg.MaterializeResult(metadata={
        "warnings": done.warnings_md(200),
        "snapshots_loaded": len(done.per_file),
        "snapshots_unchanged": sum(1 for r in done.per_file if r.get("unchanged")),
        **done.sums(),
        "dagster/row_count": done.rows_in_table,
        "files": done.files_md({"snapshot_date": "snapshot", "file": "file", "rows_read": "read",
                                "rows_loaded": "loaded", "rows_rejected": "rejected"}),
    })


@dg.asset_check(asset=RAW_REGISTRY, name="gx_raw_registry", blocking=True,
                description="Great Expectations suite on the raw register: register numbers, statuses, service "
                            "names present and known; one row per file row; plausible capacities.")
def gx_raw_registry(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    scope = run_partition_range(context)  # the snapshots this run loaded; all of raw in an unpartitioned run
    summary = validate_snapshots(warehouse, registry_suite.QUERY, "_snapshot_date", scope, registry_suite.SUITE,
                                 registry_suite.expectations)
    metadata = summary.as_metadata()
    metadata["snapshots_validated"] = "all" if scope is None else f"{scope[0]} … {scope[1]}"
    metadata["chunks_validated"] = summary.chunks
    if summary.docs_index:
        metadata["data_docs"] = dg.MetadataValue.path(str(summary.docs_index))
    return dg.AssetCheckResult(passed=summary.success, metadata=metadata, severity=dg.AssetCheckSeverity.ERROR)


UNMAPPED_SERVICE_NAMES = dg.AssetKey(["intermediate", "int_registry_service_names_unmapped"])
UNMAPPED_NAMED = 20  # wordings named in the check's description and table, most records first


@dg.asset_check(asset=UNMAPPED_SERVICE_NAMES, name="registry_service_names_classified", blocking=False,
                description="Every service wording of the register classifies to a service type (exact name or "
                            "keyword rule, seeds service_name_map and service_name_rules). Warns, without "
                            "blocking, while `intermediate.int_registry_service_names_unmapped` has rows, and "
                            f"names the {UNMAPPED_NAMED} with the most records.")
def registry_service_names_classified(warehouse: Warehouse) -> dg.AssetCheckResult:
    unmapped = warehouse.rows("""
            select service_name, service_name_key, records, snapshots, cast(first_snapshot_date as varchar),
                   cast(last_snapshot_date as varchar)
            from intermediate.int_registry_service_names_unmapped
            order by records desc, service_name_key
        """)
    records, wordings = (int(n) for n in warehouse.rows(
        "select coalesce(sum(records), 0), count(*) from intermediate.int_registry_service_names_classified")[0])
    unmapped_records = sum(int(row[2]) for row in unmapped)
    named = unmapped[:UNMAPPED_NAMED]
    listing = "; ".join(f"`{name}` ({n:,} records)" for name, _, n, *_ in named)
    more = f"; and {len(unmapped) - len(named)} more" if len(unmapped) > len(named) else ""
    description = (f"{len(unmapped)} register service wording(s) unmapped, {unmapped_records:,} of {records:,} "
                   f"records: {listing}{more}" if unmapped else
                   f"every register service wording classified ({wordings} wordings, {records:,} records)")
    table = "| wording as written | folded | records | snapshots | first | last |\n|---|---|---|---|---|---|\n" + \
        "\n".join(f"| {name.replace('|', '/')} | {key} | {n} | {snaps} | {first} | {last} |"
                  for name, key, n, snaps, first, last in named)
    return dg.AssetCheckResult(
        passed=not unmapped, severity=dg.AssetCheckSeverity.WARN, description=description,
        metadata={"unmapped_wordings": len(unmapped), "unmapped_records": unmapped_records, "records": records,
                  "classified_share": round(1 - unmapped_records / records, 4) if records else 1.0,
                  "unmapped": dg.MetadataValue.md(table if unmapped else "none")})


@dg.sensor(name="register_snapshot_sensor", minimum_interval_seconds=60,
           job_name="register_snapshot",
           description="Adds a register partition and requests a run when a snapshot file appears (or changes) "
                       "in the landing folder's registry/ subfolder.")
def register_snapshot_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    files = landing.scan().register_snapshots()
    current = {key: fingerprint(paths) for key, paths in files.items()}
    existing = set(context.instance.get_dynamic_partitions(register_snapshots.name))
    new_keys = sorted(k for k in current if k not in existing)
    # On the first tick (the sensor just switched on) snapshots that already have a partition were loaded by
    # `lvsocial run` or a backfill; only files without one are new. Otherwise switching the sensor on after a full
    # run would launch one run per snapshot of the history. Later ticks also rerun files that changed.
    changed = sorted(k for k in current if seen.get(k) != current[k]) if context.cursor else new_keys
    run_requests = [dg.RunRequest(partition_key=k, run_key=f"{k}:{current[k]}") for k in changed]
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=[register_snapshots.build_add_request(new_keys)] if new_keys else [],
        cursor=json.dumps(current, sort_keys=True),
    )


SOURCES = [IngestionSource(REGISTRY.job, [registry_provider_services])]
registry_nothing_lost = nothing_lost_check(
    REGISTRY, REGISTRY.tables[0], "Nothing lost: for every register file, rows read = rows loaded + rows rejected, "
    "and raw holds exactly the loaded rows.")
CHECKS = [gx_raw_registry, registry_nothing_lost, registry_service_names_classified]
SENSORS = [register_snapshot_sensor]
