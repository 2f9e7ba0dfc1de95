"""The whole pipeline on Spark: `lvsocial run --target spark` (tests/engines/conftest.py, on the sample without the
register's last snapshot) mirrors raw into Spark, builds every model there with dbt's session method, runs the checks
on Spark, and publishes a copy pulled from Spark that equals what Spark holds; no Spark process outlives the run.
That Spark's marts equal the DuckDB build is shown after the incremental step (test_spark_target.py)."""

from __future__ import annotations

import json

import duckdb

from tests.engines.conftest import TABLES
from tests.marts_equal import assert_frames_equal


def _tables(db) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        names = [t for (t,) in con.execute("select table_schema || '.' || table_name from information_schema.tables "
                                           "where table_schema in ('marts', 'reporting') order by 1").fetchall()]
        return {t: con.execute(f"select * from {t}").df() for t in names}


def test_the_run_succeeds_with_every_check_passing(spark_run):
    assert " 0 failed" in spark_run.run.output
    assert "marts are on Spark" in spark_run.run.output


def test_published_copy_from_spark_equals_what_spark_holds(spark_run):
    published = _tables(spark_run.run.warehouse.parent / "published" / "lvsocial.duckdb")
    assert sorted(published) == TABLES and len(TABLES) >= 15
    for table in TABLES:
        assert len(published[table]) > 0, f"{table} is empty: the comparison would prove nothing"
        assert_frames_equal(spark_run.after_run[table], published[table], table)


def test_published_copy_from_spark_carries_the_descriptions(spark_run):
    """dbt-spark comments no column of a Parquet table, so the copy pulled from Spark takes the descriptions from
    the manifest of the Spark build: every column has its yml description as its comment, as on DuckDB."""
    manifest = json.loads((spark_run.run.warehouse.parent / "dbt_target_spark" / "manifest.json").read_text())
    described = {(f"{n['schema']}.{n['name']}", c): d["description"] for n in manifest["nodes"].values()
                 if n["resource_type"] == "model" for c, d in n["columns"].items()}
    with duckdb.connect(str(spark_run.run.warehouse.parent / "published" / "lvsocial.duckdb"), read_only=True) as con:
        rows = con.execute("select schema_name || '.' || table_name, column_name, comment from duckdb_columns() "
                           "where schema_name in ('marts', 'reporting')").fetchall()
        tables = con.execute("select comment from duckdb_tables() where schema_name in ('marts', 'reporting')")
        assert all(comment for (comment,) in tables.fetchall())
    assert len(rows) >= 200
    assert [f"{t}.{c}" for t, c, comment in rows if not comment or comment != described.get((t, c))] == []


def test_raw_is_mirrored_into_spark_and_remembered(spark_run):
    from orchestration.engines.spark_engine import STATE_FILE, SparkEngine

    state = json.loads((spark_run.spark_dir / STATE_FILE).read_text(encoding="utf-8"))
    assert "raw.registry_provider_services" in state and "raw.budget_expenditure" in state
    counts = spark_run.after_run
    with duckdb.connect(str(spark_run.run.warehouse), read_only=True) as con:
        raw = [t for (t,) in con.execute("select 'raw.' || table_name from duckdb_tables() "
                                         "where schema_name = 'raw' order by 1").fetchall()]
        assert "raw.registry_provider_services" in raw
        for table in raw + ["audit.rejected_rows"]:
            assert int(counts[f"count {table}"]["n"][0]) == con.execute(
                f"select count(*) from {table}").fetchone()[0], table
        assert con.execute("select count(*) from raw.registry_provider_services").fetchone()[0] > 0
    # Nothing changed since: mirroring again starts no Spark process and copies nothing.
    engine = SparkEngine(spark_run.spark_dir, spark_run.run.warehouse)
    with duckdb.connect(str(spark_run.run.warehouse)) as con:
        assert engine.mirror(con, log=lambda _: None) == {}


def test_no_spark_process_outlives_the_run(spark_run):
    assert not spark_run.leftover, f"processes still using {spark_run.spark_dir}: {spark_run.leftover}"
