"""The lines a run ends with: checks passed and failed, rows per mart read from the target, the files loaded and
rows rejected, and where the marts, the quality report, the published copy, the charts and the dbt docs are."""

from __future__ import annotations

import json
import time
from pathlib import Path

from orchestration.cli.progress import Outcome, Progress
from orchestration.settings import Settings


def summary(settings: Settings, outcome: Outcome, progress: Progress) -> None:
    import duckdb

    from orchestration.engines.targets import engine_for
    from orchestration.publishing import published_dir

    warehouse = settings.warehouse
    checks = outcome.checks
    passed = sum(1 for _, ok, _ in checks if ok)
    failed = [(n, s) for n, ok, s in checks if not ok]
    print("\nSummary")
    print(f"  checks: {passed} passed, {sum(1 for _, s in failed if s == 'ERROR')} failed, "
          f"{sum(1 for _, s in failed if s != 'ERROR')} warned")
    for name, severity in failed:
        print(f"    {'FAILED' if severity == 'ERROR' else 'warn  '} {name}")
    if not warehouse.exists():
        print(f"  warehouse {warehouse} was not created")
        return
    try:
        # The engine's connections below use the settings' DuckDB config; DuckDB refuses a second, other one.
        con = duckdb.connect(str(warehouse), read_only=True, config=settings.duckdb_config())
    except duckdb.Error as exc:
        print(f"  could not open the warehouse to count rows: {exc}")
        return
    target = settings.target
    engine = engine_for(target, warehouse, settings)
    count = engine.rows
    published_db = published_dir(warehouse) / "lvsocial.duckdb"
    if target == "spark" and published_db.exists():
        # One JVM per count would take minutes: the published copy was pulled from Spark at the end of the run.
        def count(sql):
            with duckdb.connect(str(published_db), read_only=True) as pub:
                return pub.execute(sql).fetchall()
    with con:
        print(f"  rows per mart{'' if engine.in_store else f' (on {target})'}:")
        try:
            tables = [f"{a}.{b}" for a, b in count(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('marts', 'reporting') order by table_schema, table_name")]
        except Exception as exc:  # the target may be unreachable by now: say so, don't hide the run's outcome
            print(f"    could not list the marts on {target}: {exc}")
            tables = []
        for table in tables:
            try:
                n = count(f"select count(*) from {table}")[0][0]
                print(f"    {table:<45} {n:>10,}")
            except Exception:
                print(f"    {table:<45} {'(missing)':>10}")
        try:
            rejected = con.execute("select source, count(*) from audit.rejected_rows group by 1 order by 1").fetchall()
            loaded = con.execute("select count(*), coalesce(sum(rows_loaded), 0) from audit.load_log").fetchone()
            print(f"  files loaded: {loaded[0]}, rows loaded: {loaded[1]:,}; rejected rows: "
                  + (", ".join(f"{s} {n}" for s, n in rejected) or "none") + " (audit.rejected_rows)")
        except duckdb.Error:
            pass
    if engine.in_store:
        print(f"  marts are in {warehouse} (schemas marts, reporting); run history: `lvsocial ui`")
    else:
        print(f"  marts are on {engine.describe()} (schemas marts, reporting); raw files and audit in {warehouse}; "
              "run history: `lvsocial ui`")
    _outputs(warehouse)
    print(f"  took {time.monotonic() - progress.start:.1f}s")


def _outputs(warehouse: Path) -> None:
    """The folders a run writes next to the warehouse, those that exist."""
    from expectations.runner import quality_dir
    from orchestration.charts import report_dir
    from orchestration.dbt_docs import dbt_docs_dir
    from orchestration.publishing import published_dir

    docs = quality_dir(warehouse) / "data_docs" / "index.html"
    if docs.exists():
        print(f"  data quality report (Great Expectations Data Docs): {docs}")
    manifest = published_dir(warehouse) / "manifest.json"
    if manifest.exists():
        stamp = json.loads(manifest.read_text(encoding="utf-8")).get("published_at", "?")
        print(f"  published copy for BI (published {stamp}): {published_dir(warehouse) / 'lvsocial.duckdb'} and "
              f"{published_dir(warehouse) / 'parquet'}/")
    page = report_dir(warehouse) / "index.html"
    if page.exists():
        print(f"  charts (report page): {page}")
    site = dbt_docs_dir(warehouse) / "static_index.html"
    if site.exists():
        print(f"  dbt docs of the marts: {site} (opens from disk; or serve {dbt_docs_dir(warehouse)} over http)")
