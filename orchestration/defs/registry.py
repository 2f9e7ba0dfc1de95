"""The register source in Dagster: snapshots as dynamic partitions keyed by snapshot date, the ingestion asset
that loads them into raw (all requested partitions in one run), its Great Expectations check, the warning check on
service wording no classification rule knows, and the sensor that adds a partition and requests a run when a new
snapshot file lands."""


import datetime as dt
import json

import dagster as dg

from expectations import registry as registry_suite
from ingestion import registry
from orchestration.resources import LandingFolder, Warehouse
from orchestration.run_scope import run_partition_range
from orchestration.snapshot_checks import validate_snapshots
from orchestration.sources import IngestionSource

RAW_REGISTRY = dg.AssetKey(["raw", "registry_provider_services"])
register_snapshots = dg.DynamicPartitionsDefinition(name="register_snapshots")
CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/registry.py"


class ReloadConfig(dg.Config):
    force_reload: bool = False  # load again even files already loaded unchanged by this parser version


@dg.asset(
    key=RAW_REGISTRY,
    partitions_def=register_snapshots,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    group_name="registry_raw",
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
    files = landing.scan().register_snapshots()
    keys = context.partition_keys
    per_file, failures, warnings = [], [], []
    jobs = []
    for key in keys:
        if files.get(key):
            jobs.append((dt.date.fromisoformat(key), files[key]))
        else:
            context.log.warning(f"snapshot {key}: no file for it in {landing.path} any more; raw keeps "
                                "what was loaded before")
    with warehouse.connect() as con:
        # Files are parsed in worker processes while this one writes them, in snapshot order.
        loaded = registry.load_snapshots(con, jobs, force=config.force_reload)
        for i, (snapshot, totals, notes, error) in enumerate(loaded, start=1):
            key, paths = snapshot.isoformat(), files[snapshot.isoformat()]
            if error is not None:
                failures.append(str(error))
                context.log.error(f"snapshot {key}: {error}")
                continue
            warnings += [f"{paths[0].name}: {n}" for n in notes]
            file_info = totals.pop("files")[0]
            per_file.append({"snapshot_date": key, "file": paths[0].name, **totals})
            context.log_event(dg.AssetObservation(
                asset_key=RAW_REGISTRY, partition=key, metadata={**file_info, "snapshot_date": key, **totals}))
            unchanged = " (unchanged: already loaded from this file)" if totals.get("unchanged") else ""
            context.log.info(f"[{i}/{len(jobs)}] snapshot {key}: {paths[0].name} — {totals['rows_loaded']} "
                             f"loaded, {totals['rows_rejected']} rejected{unchanged}")
        rows_in_table = con.execute("select count(*) from raw.registry_provider_services").fetchone()[0] \
            if per_file else 0
        warehouse.mirror(con, [registry.SOURCE], log=context.log.info)  # to the postgres/spark target
    for w in warnings[:20]:
        context.log.warning(w)
    warning_text = "\n".join(f"- {w}" for w in warnings[:200]) or "none"
    if failures:
        raise dg.Failure(
            description=f"{len(failures)} register file(s) could not be loaded; the other snapshots were loaded",
            metadata={"failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures)),
                      "warnings": dg.MetadataValue.md(warning_text)})
    return dg.MaterializeResult(metadata={
        "warnings": dg.MetadataValue.md(warning_text),
        "snapshots_loaded": len(per_file),
        "snapshots_unchanged": sum(1 for r in per_file if r.get("unchanged")),
        "rows_read": sum(r["rows_read"] for r in per_file),
        "rows_loaded": sum(r["rows_loaded"] for r in per_file),
        "rows_rejected": sum(r["rows_rejected"] for r in per_file),
        "dagster/row_count": rows_in_table,
        "files": dg.MetadataValue.md(
            "| snapshot | file | read | loaded | rejected |\n|---|---|---|---|---|\n" + "\n".join(
                f"| {r['snapshot_date']} | {r['file']} | {r['rows_read']} | {r['rows_loaded']} | "
                f"{r['rows_rejected']} |" for r in per_file)),
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


@dg.asset_check(asset=RAW_REGISTRY, name="rows_read_equal_loaded_plus_rejected", blocking=True,
                description="Nothing lost: for every register file, rows read = rows loaded + rows rejected, and "
                            "raw holds exactly the loaded rows.")
def registry_nothing_lost(warehouse: Warehouse) -> dg.AssetCheckResult:
    # One pass over raw and one over the rejected rows (grouped), not one scan per file; on the target.
    bad = warehouse.rows("""
            with in_raw as (
                select _source_file as source_file, cast(_snapshot_date as varchar) as partition_key, count(*) as n
                from raw.registry_provider_services group by 1, 2
            ),
            in_rejected as (
                select source_file, partition_key, count(*) as n
                from audit.rejected_rows where source = 'registry' group by 1, 2
            )
            select l.source_file, l.rows_read, l.rows_loaded, l.rows_rejected, coalesce(r.n, 0) as in_raw,
                   coalesce(j.n, 0) as in_rejected
            from audit.load_log l
            left join in_raw r on r.source_file = l.source_file and r.partition_key = l.partition_key
            left join in_rejected j on j.source_file = l.source_file and j.partition_key = l.partition_key
            where l.source = 'registry'
        """)
    problems = [f"{f}: read {r}, loaded {lo}, rejected {rej}, in raw {raw}, in rejected_rows {jr}"
                for f, r, lo, rej, raw, jr in bad if r != lo + rej or raw != lo or jr != rej]
    return dg.AssetCheckResult(passed=not problems, metadata={"files_checked": len(bad),
                                                              "problems": "\n".join(problems[:20])})


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


def _fingerprint(paths) -> str:
    return ";".join(f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in paths)


@dg.sensor(name="register_snapshot_sensor", minimum_interval_seconds=60,
           job_name="register_snapshot",
           description="Adds a register partition and requests a run when a snapshot file appears (or changes) "
                       "in the landing folder's registry/ subfolder.")
def register_snapshot_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    files = landing.scan().register_snapshots()
    current = {key: _fingerprint(paths) for key, paths in files.items()}
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


SOURCES = [IngestionSource("registry", [registry_provider_services], register_snapshots,
                           lambda landing: sorted(landing.register_snapshots()), registry.ensure_tables)]
CHECKS = [gx_raw_registry, registry_nothing_lost, registry_service_names_classified]
SENSORS = [register_snapshot_sensor]
