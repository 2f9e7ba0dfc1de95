"""The dbt project on Spark (dbt-spark's `session` method, PySpark in local mode) gives the marts of the DuckDB build.

The pipeline run on Spark (tests/engines/conftest.py) built every model on the sample without the register's last
snapshot; that snapshot's partition is then copied into Spark and the register's models are built again,
incrementally (insert_overwrite of the new snapshot's partition). Every table of `marts` and `reporting` must then
hold the rows of the session's DuckDB run of the whole sample. Skipped without PySpark, dbt-spark or Java."""

from __future__ import annotations

import duckdb
import pytest

from tests.engines.conftest import EXPECTED_WARNINGS, TABLES, dbt_failures
from tests.marts_equal import assert_frames_equal


def test_dbt_builds_on_spark_with_every_test_passing(spark_build):
    for name, proc, results in spark_build.builds:
        statuses = {r["unique_id"]: r["status"] for r in results}
        assert statuses, f"dbt {name}: no results"
        bad = {k: v for k, v in statuses.items() if v not in ("success", "pass") and k not in EXPECTED_WARNINGS}
        assert bad == {}, f"dbt {name}:\n{dbt_failures(results, proc)}"
    built = {r["unique_id"] for r in spark_build.builds[0][2]}
    assert "model.lvsocial.fct_provider_services" in built and any(k.startswith("test.") for k in built)
    assert any(k.startswith("unit_test.") for k in built)
    # The pipeline's build on Spark (step 1) built every model and seed, and ran the dbt tests as checks.
    output = spark_build.spark.run.output
    assert len(TABLES) > 20, TABLES  # the model files were found
    assert " 0 failed" in output


def test_register_models_add_the_new_snapshot_by_overwriting_its_partition(spark_build):
    target = spark_build.root / "target_incremental" / "run" / "lvsocial" / "models"
    for model in ("intermediate/registry/int_registry_records_conformed.sql",
                  "marts/registry/fct_provider_services.sql"):
        sql = (target / model).read_text(encoding="utf-8").lower()
        assert "insert overwrite table" in sql and "partition (snapshot_date)" in sql, f"{model}:\n{sql[:800]}"


def test_raw_tables_hold_duckdbs_rows(spark_build, sample_run):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        raw = [name for name in spark_build.tables if name.startswith("count raw.")]
        assert "count raw.registry_provider_services" in raw
        for name in raw:
            table = name.removeprefix("count ")
            assert int(spark_build.tables[name]["n"][0]) == con.execute(
                f"select count(*) from {table}").fetchone()[0], table


def test_spark_has_every_mart_and_report(spark_build):
    found = [f"{schema}.{name}" for schema in ("marts", "reporting")
             for name in spark_build.tables[f"tables {schema}"]["tableName"]]
    assert sorted(found) == TABLES


@pytest.mark.parametrize("table", TABLES)
def test_mart_rows_equal_duckdb(spark_build, sample_run, table):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        reference = con.execute(f"select * from {table}").df()
    assert len(reference) > 0, f"{table} is empty in the reference: the comparison would prove nothing"
    assert_frames_equal(reference, spark_build.tables[table], table)
