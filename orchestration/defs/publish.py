"""The `publish` asset: after every mart and reporting model is built and their blocking checks have passed,
write the published copy (DuckDB + Parquet) that BI tools read, swapped in atomically."""

import dagster as dg

from orchestration.defs.dbt import lvsocial_dbt_assets
from orchestration.publishing import publish
from orchestration.resources import Warehouse

PUBLISHED = dg.AssetKey(["published", "marts"])
MART_KEYS = [key for key in lvsocial_dbt_assets.keys if key.path[0] in ("marts", "reporting")]


@dg.asset(
    key=PUBLISHED,
    deps=MART_KEYS,
    pool="warehouse",
    group_name="publish",
    kinds={"duckdb", "parquet"},
    owners=["team:lvsocial-data"],
    description=(
        "The published copy for BI: every table of the `marts` and `reporting` schemas in "
        "`published/lvsocial.duckdb` and `published/parquet/<schema>.<table>.parquet`, next to the warehouse file. "
        "Written aside and swapped in by rename, so readers never see a half-written copy and a failed run "
        "leaves the last good one."
    ),
    metadata={"code": dg.MetadataValue.url(
        "https://github.com/lvsocial/lvsocial/blob/main/orchestration/publishing.py")},
)
def published_marts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    from pathlib import Path

    result = publish(Path(warehouse.path), run_id=context.run_id, engine=warehouse.engine(),
                     config=warehouse.settings().duckdb_config(temp=False))
    context.log.info(f"published {len(result.tables)} tables to {result.folder}")
    return dg.MaterializeResult(metadata={
        "duckdb": dg.MetadataValue.path(str(result.duckdb_file)),
        "parquet": dg.MetadataValue.path(str(result.parquet_dir)),
        "tables": dg.MetadataValue.md("| table | rows | content sha |\n|---|---|---|\n" + "\n".join(
            f"| {t} | {v['rows']} | `{v['sha256'][:12]}` |" for t, v in result.tables.items())),
        "dagster/row_count": sum(v["rows"] for v in result.tables.values()),
    })
