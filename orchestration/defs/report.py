"""What BI users and decision makers read, built after the published copy: the report (the seed presentation's series
as PNG charts and one HTML page, drawn from the published copy) and dbt's documentation site of the marts. Both
land next to the warehouse file, so `--warehouse` moves them too."""

from pathlib import Path

import dagster as dg

from orchestration.charts import build_report, report_dir
from orchestration.dbt_docs import generate_dbt_docs
from orchestration.defs.publish import PUBLISHED
from orchestration.publishing import published_dir
from orchestration.resources import Warehouse

REPORT = dg.AssetKey(["report", "charts"])
DBT_DOCS = dg.AssetKey(["report", "dbt_docs"])
CODE = "https://github.com/lvsocial/lvsocial/blob/main/orchestration/"


@dg.asset(
    key=REPORT,
    deps=[PUBLISHED],
    group_name="report",
    kinds={"matplotlib", "html"},
    owners=["team:lvsocial-data"],
    description=(
        "The seed presentation's series as PNG charts with Latvian labels and one static page, `report/index.html` "
        "next to the warehouse file: long-term care institutions and their places (and clients), home-care "
        "recipients and spending, day-care centres over time and by client group, register records by status and "
        "by type, providers per planning region (Zemgale highlighted), institutional vs community services; "
        "spending per inhabitant and the social-work norm; coverage of home care and day centres per municipality "
        "(a tile map: one square per municipality in its approximate place), the rural population without them per "
        "planning region, the care balance over time and programme targets vs results. Each series reads its own "
        "`reporting.rpt_chart_<series>` table. Drawn from the published copy, read-only, so it never "
        "reads the warehouse while a step writes it. Series whose tables the warehouse does not hold yet are "
        "listed on the page as not drawn."
    ),
    metadata={"code": dg.MetadataValue.url(CODE + "charts.py")},
)
def report_charts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    warehouse_file = Path(warehouse.path)
    report = build_report(published_dir(warehouse_file) / "lvsocial.duckdb", report_dir(warehouse_file))
    for missing in report.missing:
        context.log.warning(f"not drawn: {missing.series}: {missing.reason}")
    context.log.info(f"{len(report.charts)} charts in {report.folder}")
    return dg.MaterializeResult(metadata={
        "page": dg.MetadataValue.path(str(report.index)),
        "charts": dg.MetadataValue.md(report.as_markdown(embed=True)),
        "chart_files": dg.MetadataValue.md("\n".join(f"- `{c.file}`" for c in report.charts)),
        "charts_drawn": len(report.charts),
        "series_not_drawn": dg.MetadataValue.md(
            "\n".join(f"- {m.series}: {m.reason}" for m in report.missing) or "none"),
        "snapshots": dg.MetadataValue.text(
            f"{report.snapshots[0]:%Y-%m-%d} … {report.snapshots[-1]:%Y-%m-%d}" if report.snapshots else "none"),
    })


@dg.asset(
    key=DBT_DOCS,
    deps=[PUBLISHED],
    pool="warehouse",  # dbt opens the warehouse file (read-only): never while another step writes it
    group_name="report",
    kinds={"dbt", "html"},
    owners=["team:lvsocial-data"],
    description=(
        "dbt's documentation site of the project (models, columns, tests, lineage, and the catalog read from the "
        "warehouse) in `dbt_docs/` next to the warehouse file: `static_index.html` opens from disk. Built from the "
        "manifest of the last dbt build on this warehouse and a catalog read from the warehouse read-only; "
        "`dbt_project/target/` is left alone."
    ),
    metadata={"code": dg.MetadataValue.url(CODE + "dbt_docs.py")},
)
def dbt_docs(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    rows = warehouse.rows  # the catalog is read from the target
    if warehouse.target == "spark":  # Spark has no information_schema: the catalog of the copy pulled from it
        import duckdb

        def rows(sql):
            with duckdb.connect(str(published_dir(Path(warehouse.path)) / "lvsocial.duckdb"), read_only=True) as con:
                return con.execute(sql).fetchall()
    docs = generate_dbt_docs(Path(warehouse.path), warehouse.target, rows)
    context.log.info(f"dbt docs in {docs.folder}")
    return dg.MaterializeResult(metadata={
        "site": dg.MetadataValue.path(str(docs.static_index)),
        "folder": dg.MetadataValue.path(str(docs.folder)),
        "models": docs.models,
        "catalogued_relations": docs.catalogued,
    })


ASSETS = [report_charts, dbt_docs]
