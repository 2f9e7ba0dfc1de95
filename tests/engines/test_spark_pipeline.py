"""The whole pipeline on Spark: `lvsocial run --target spark` on the sample mirrors raw into Spark, builds every model
there with dbt's session method, runs the checks on Spark, and publishes a copy pulled from it equal to the DuckDB
build; no Spark process outlives the run."""

from __future__ import annotations

import json
import subprocess

import duckdb
import pytest

from tests.conftest import SAMPLE_LANDING, run_pipeline
from tests.marts_equal import assert_frames_equal


@pytest.fixture(scope="module")
def spark_run(tmp_path_factory):
    run = run_pipeline(tmp_path_factory.mktemp("spark_run"), SAMPLE_LANDING, "--target", "spark", timeout=1800)
    if run.returncode != 0:
        pytest.fail(f"lvsocial run --target spark failed ({run.returncode}):\n{run.output[-5000:]}")
    return run


def _tables(db) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        names = [t for (t,) in con.execute("select table_schema || '.' || table_name from information_schema.tables "
                                           "where table_schema in ('marts', 'reporting') order by 1").fetchall()]
        return {t: con.execute(f"select * from {t}").df() for t in names}


def test_the_run_succeeds_with_every_check_passing(spark_run):
    assert " 0 failed" in spark_run.output
    assert "marts are on Spark" in spark_run.output


def test_published_copy_from_spark_equals_the_duckdb_marts(sample_run, spark_run):
    reference = _tables(sample_run.warehouse)
    published = _tables(spark_run.warehouse.parent / "published" / "lvsocial.duckdb")
    assert sorted(published) == sorted(reference) and len(reference) >= 15
    for table, frame in reference.items():
        assert_frames_equal(frame, published[table], table)


def test_raw_is_mirrored_into_spark_and_remembered(spark_run):
    from orchestration.engines.spark_engine import STATE_FILE, SparkEngine

    spark_dir = spark_run.warehouse.parent / "spark"
    state = json.loads((spark_dir / STATE_FILE).read_text(encoding="utf-8"))
    assert "raw.registry_provider_services" in state and "raw.budget_expenditure" in state
    engine = SparkEngine(spark_dir, spark_run.warehouse)
    try:
        counts = engine.frames({"registry": "select count(*) as n from raw.registry_provider_services",
                                "rejected": "select count(*) as n from audit.rejected_rows"})
    finally:
        from orchestration.engines.spark_worker import stop_workers

        stop_workers()
    with duckdb.connect(str(spark_run.warehouse), read_only=True) as con:
        assert counts["registry"]["n"][0] == con.execute(
            "select count(*) from raw.registry_provider_services").fetchone()[0] > 0
        assert counts["rejected"]["n"][0] == con.execute("select count(*) from audit.rejected_rows").fetchone()[0]
    # Nothing changed since: mirroring again starts no Spark process and copies nothing.
    with duckdb.connect(str(spark_run.warehouse)) as con:
        assert engine.mirror(con, log=lambda _: None) == {}


def test_no_spark_process_outlives_the_run(spark_run):
    import time

    spark_dir = str(spark_run.warehouse.parent / "spark")
    deadline = time.monotonic() + 30  # a JVM ends a moment after the Python process that started it
    while True:
        left = subprocess.run(["pgrep", "-af", spark_dir], capture_output=True, text=True).stdout.splitlines()
        if not left or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert not left, f"processes still using {spark_dir}: {left}"
