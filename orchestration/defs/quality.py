"""Great Expectations suites on the key marts, run as blocking asset checks: publishing waits for them. Results go
to the GX project and Data Docs in `quality/` next to the warehouse file."""

from pathlib import Path

import dagster as dg

from expectations import marts as mart_suites
from expectations.runner import quality_dir, validate_frame
from orchestration.resources import Warehouse


def _mart_check(suite_name: str, query: str, build) -> dg.AssetChecksDefinition:
    table = suite_name.removeprefix("marts_")

    @dg.asset_check(asset=dg.AssetKey(["marts", table]), name=f"gx_{table}", blocking=True,
                    description=f"Great Expectations suite `{suite_name}` on marts.{table} (blocks publishing).")
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            frame = con.execute(query).df()
        summary = validate_frame(frame, suite_name, build, quality_dir(Path(warehouse.path)))
        metadata = summary.as_metadata()
        if summary.docs_index:
            metadata["data_docs"] = dg.MetadataValue.path(str(summary.docs_index))
        return dg.AssetCheckResult(passed=summary.success, metadata=metadata)

    return _check


CHECKS = [_mart_check(name, query, build) for name, (query, build) in mart_suites.SUITES.items()]
