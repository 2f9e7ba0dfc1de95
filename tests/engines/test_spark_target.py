"""The dbt project on Spark (dbt-spark's `session` method, PySpark in local mode) gives the marts of the DuckDB build.

The session's pipeline run on the sample is the reference. Its raw tables are copied into a Spark folder under
tmp_path with `orchestration.engines.spark_worker` — all but the register's last snapshot — and `dbt build --target
spark` runs in a subprocess; then that snapshot's partition is copied and the register's models are built again,
incrementally (insert_overwrite of the new snapshot's partition). Every table of `marts` and `reporting` must then
hold DuckDB's rows. Skipped without PySpark, dbt-spark or Java."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("pyspark")
pytest.importorskip("dbt.adapters.spark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)

from orchestration.engines.spark_worker import TableCopy, copy_tables, spark_frames  # noqa: E402
from tests.marts_equal import assert_frames_equal  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")
REGISTRY = "raw.registry_provider_services"
# Every mart and report, from the project's model files.
TABLES = sorted(f"{folder}.{path.stem}" for folder in ("marts", "reporting")
                for path in (DBT_PROJECT / "models" / folder).rglob("*.sql"))  # under their area folders
# Tests that warn on the sample on DuckDB too (a municipality whose 10.000 line is off by more than a lat).
EXPECTED_WARNINGS = {"test.lvsocial.assert_expenditure_group_total_equals_its_subcodes"}


@dataclass
class SparkBuild:
    root: Path
    spark_dir: Path
    reference: Path
    last_snapshot: str
    timings: dict = field(default_factory=dict)
    builds: list = field(default_factory=list)  # (args, CompletedProcess, run_results)

    def dbt(self, name: str, *args: str) -> subprocess.CompletedProcess:
        target = self.root / f"target_{name}"
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "LVSOCIAL_SPARK_DIR": str(self.spark_dir)}
        started = time.perf_counter()
        proc = subprocess.run(
            [DBT, *args, "--target", "spark", "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
             "--target-path", str(target), "--log-path", str(self.root / "logs")],
            env=env, cwd=self.root, capture_output=True, text=True, timeout=1800)
        self.timings[f"dbt {name}"] = round(time.perf_counter() - started, 1)
        results_file = target / "run_results.json"
        results = json.loads(results_file.read_text(encoding="utf-8"))["results"] if results_file.exists() else []
        self.builds.append((name, proc, results))
        assert proc.returncode == 0, f"dbt {' '.join(args)} on Spark failed:\n{failures(results, proc)}"
        return proc

    def copy(self, name: str, duckdb_path: Path, copies: list[TableCopy] | None = None) -> list[dict]:
        started = time.perf_counter()
        copied = copy_tables(duckdb_path, self.spark_dir, copies)
        self.timings[f"copy {name}"] = round(time.perf_counter() - started, 1)
        return copied


def failures(results: list[dict], proc: subprocess.CompletedProcess) -> str:
    bad = [f"{r['status']}: {r['unique_id']}: {(r.get('message') or '')[:400]}" for r in results
           if r["status"] not in ("success", "pass") and r["unique_id"] not in EXPECTED_WARNINGS]
    return "\n".join(bad) if bad else (proc.stdout + proc.stderr)[-5000:]


@pytest.fixture(scope="module")
def spark_build(sample_run, tmp_path_factory) -> SparkBuild:
    root = tmp_path_factory.mktemp("spark_target")
    # The reference without the register's last snapshot: the state before that snapshot arrived.
    earlier = root / "earlier.duckdb"
    shutil.copyfile(sample_run.warehouse, earlier)
    with duckdb.connect(str(earlier)) as con:
        last = con.execute(f"select cast(max(_snapshot_date) as varchar) from {REGISTRY}").fetchone()[0]
        con.execute(f"delete from {REGISTRY} where _snapshot_date = cast(? as date)", [last])
    build = SparkBuild(root, root / "spark", sample_run.warehouse, last)

    build.copy("all raw and audit tables", earlier)
    build.dbt("build", "build")
    copied = build.copy("the last snapshot", sample_run.warehouse, [TableCopy(REGISTRY, "_snapshot_date", [last])])
    assert copied == [{**copied[0], "table": REGISTRY, "whole": False}], copied
    build.dbt("incremental", "build", "--select", "source:registry.registry_provider_services+")
    print(f"\nSpark timings (s): {build.timings}", file=sys.stderr)
    return build


@pytest.fixture(scope="module")
def spark_tables(spark_build) -> dict:
    """Every mart and report, and each raw table's row count, as Spark holds them (read in one child process)."""
    with duckdb.connect(str(spark_build.reference), read_only=True) as con:
        raw = [f"raw.{t}" for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw' order by 1").fetchall()]
    queries = {t: f"select * from {t}" for t in TABLES}
    queries |= {f"count {t}": f"select count(*) as n from {t}" for t in raw}
    queries |= {f"tables {schema}": f"show tables in {schema}" for schema in ("marts", "reporting")}
    return spark_frames(spark_build.spark_dir, queries)


def test_dbt_builds_on_spark_with_every_test_passing(spark_build):
    for name, proc, results in spark_build.builds:
        statuses = {r["unique_id"]: r["status"] for r in results}
        assert statuses, f"dbt {name}: no results"
        bad = {k: v for k, v in statuses.items() if v not in ("success", "pass") and k not in EXPECTED_WARNINGS}
        assert bad == {}, f"dbt {name}:\n{failures(results, proc)}"
    full = {r["unique_id"] for r in spark_build.builds[0][2]}
    assert len(TABLES) > 20, TABLES  # the model files were found
    assert {f"model.lvsocial.{t.split('.')[1]}" for t in TABLES} <= full
    assert any(k.startswith("unit_test.") for k in full) and any(k.startswith("seed.") for k in full)


def test_register_models_add_the_new_snapshot_by_overwriting_its_partition(spark_build):
    target = spark_build.root / "target_incremental" / "run" / "lvsocial" / "models"
    for model in ("intermediate/registry/int_registry_records_conformed.sql",
                  "marts/registry/fct_provider_services.sql"):
        sql = (target / model).read_text(encoding="utf-8").lower()
        assert "insert overwrite table" in sql and "partition (snapshot_date)" in sql, f"{model}:\n{sql[:800]}"


def test_raw_tables_hold_duckdbs_rows(spark_build, spark_tables):
    with duckdb.connect(str(spark_build.reference), read_only=True) as con:
        for name, frame in spark_tables.items():
            if name.startswith("count "):  # one per raw table
                table = name.removeprefix("count ")
                assert int(frame["n"][0]) == con.execute(f"select count(*) from {table}").fetchone()[0], table


def test_spark_has_every_mart_and_report(spark_tables):
    found = [f"{schema}.{name}" for schema in ("marts", "reporting")
             for name in spark_tables[f"tables {schema}"]["tableName"]]
    assert sorted(found) == TABLES


@pytest.mark.parametrize("table", TABLES)
def test_mart_rows_equal_duckdb(spark_build, spark_tables, table):
    with duckdb.connect(str(spark_build.reference), read_only=True) as con:
        reference = con.execute(f"select * from {table}").df()
    assert len(reference) > 0, f"{table} is empty in the reference: the comparison would prove nothing"
    assert_frames_equal(reference, spark_tables[table], table)
