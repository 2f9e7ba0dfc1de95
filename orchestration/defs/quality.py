"""Great Expectations suites on the key marts and the coverage and programme reports, run as blocking asset checks:
publishing waits for them. Results go to the GX project and Data Docs in `quality/` next to the warehouse file."""

from pathlib import Path

import dagster as dg

from expectations import marts as mart_suites
from expectations import reports as report_suites
from expectations.runner import quality_dir, validate_frame
from orchestration.resources import Warehouse
from orchestration.run_scope import run_partition_range
from orchestration.snapshot_checks import validate_snapshots

# Marts validated over the run's register snapshots only, when the run has any.
SNAPSHOT_SCOPED = {"fct_provider_services"}


def _mart_check(suite_name: str, query: str, build) -> dg.AssetChecksDefinition:
    schema, table = suite_name.split("_", 1)  # `marts_fct_provider_services`: the suite of marts.fct_provider_services

    @dg.asset_check(asset=dg.AssetKey([schema, table]), name=f"gx_{table}", blocking=True,
                    description=f"Great Expectations suite `{suite_name}` on {schema}.{table} (blocks publishing).")
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        if table in SNAPSHOT_SCOPED:
            # In a run for register snapshots (the sensor's), the snapshot fact is validated from the first
            # snapshot the run loaded on: those are the rows the incremental build (re)wrote. At ×100 it holds
            # 18.7 M rows, validated a few whole snapshots at a time.
            scope = run_partition_range(context)
            summary = validate_snapshots(warehouse, query, "snapshot_date", scope, suite_name, build,
                                         and_later=True)
            metadata = {**summary.as_metadata(), "chunks_validated": summary.chunks}
            if scope is not None:
                metadata["snapshots_validated"] = f"{scope[0]} and later"
        else:  # the other marts and the reports are small
            summary = validate_frame(warehouse.frame(query), suite_name, build, quality_dir(Path(warehouse.path)))
            metadata = summary.as_metadata()
        if summary.docs_index:
            metadata["data_docs"] = dg.MetadataValue.path(str(summary.docs_index))
        return dg.AssetCheckResult(passed=summary.success, metadata=metadata)

    return _check


CHECKS = [_mart_check(name, query, build)
          for name, (query, build) in {**mart_suites.SUITES, **report_suites.SUITES}.items()]
