"""One Spark build for both Spark files (test_spark_pipeline.py, test_spark_target.py): the pipeline on Spark, then an
incremental dbt build of the register's models on the same Spark folder.

1. `lvsocial run --target spark` on the sample without the register's last snapshot: it mirrors raw into Spark,
   builds every model there with dbt's session method, runs the checks on Spark and publishes a copy pulled from it.
2. The last snapshot's partition is copied into Spark's raw table (from the session's DuckDB run of the whole sample)
   and `dbt build --select source:registry.registry_provider_services+` adds it incrementally (insert_overwrite of
   its partition), running the dbt unit tests on Spark too. Every mart and report on Spark must then hold the rows of the DuckDB build of the whole sample.

Skipped without PySpark, dbt-spark or Java (the engines group installs both; scripts/test.sh installs Java)."""

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

from tests.conftest import SAMPLE_LANDING, PipelineRun, run_pipeline

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")
REGISTRY = "raw.registry_provider_services"
# Every mart and report, from the project's model files (under their area folders).
TABLES = sorted(f"{folder}.{path.stem}" for folder in ("marts", "reporting")
                for path in (DBT_PROJECT / "models" / folder).rglob("*.sql"))
# Tests that warn on the sample on DuckDB too (a municipality whose 10.000 line is off by more than a lat).
EXPECTED_WARNINGS = {"test.lvsocial.assert_expenditure_group_total_equals_its_subcodes"}


def _spark_available() -> None:
    pytest.importorskip("pyspark")
    pytest.importorskip("dbt.adapters.spark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")


@dataclass
class SparkRun:
    """The pipeline run on Spark (step 1) and what was seen right after it."""

    run: PipelineRun
    spark_dir: Path
    last_snapshot: str  # the register snapshot the run did not have (ISO date)
    leftover: list[str]  # processes still using the Spark folder after the run ended
    after_run: dict  # {name: frame} read from Spark right after the run (marts, reports, raw and rejected counts)


@dataclass
class SparkBuild:
    """The incremental dbt build (step 2) on the Spark folder of the run."""

    spark: SparkRun
    root: Path
    timings: dict = field(default_factory=dict)
    builds: list = field(default_factory=list)  # (name, CompletedProcess, run_results)

    def dbt(self, name: str, *args: str) -> subprocess.CompletedProcess:
        target = self.root / f"target_{name}"
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
               "LVSOCIAL_SPARK_DIR": str(self.spark.spark_dir)}
        started = time.perf_counter()
        proc = subprocess.run(
            [DBT, *args, "--target", "spark", "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
             "--target-path", str(target), "--log-path", str(self.root / "logs")],
            env=env, cwd=self.root, capture_output=True, text=True, timeout=1800)
        self.timings[f"dbt {name}"] = round(time.perf_counter() - started, 1)
        results_file = target / "run_results.json"
        results = json.loads(results_file.read_text(encoding="utf-8"))["results"] if results_file.exists() else []
        self.builds.append((name, proc, results))
        assert proc.returncode == 0, f"dbt {' '.join(args)} on Spark failed:\n{dbt_failures(results, proc)}"
        return proc


def dbt_failures(results: list[dict], proc: subprocess.CompletedProcess) -> str:
    bad = [f"{r['status']}: {r['unique_id']}: {(r.get('message') or '')[:400]}" for r in results
           if r["status"] not in ("success", "pass") and r["unique_id"] not in EXPECTED_WARNINGS]
    return "\n".join(bad) if bad else (proc.stdout + proc.stderr)[-5000:]


def _leftover(spark_dir: Path) -> list[str]:
    """Processes using the Spark folder, waited for up to 30 s (a JVM ends a moment after the Python that started it)."""
    deadline = time.monotonic() + 30
    while True:
        left = subprocess.run(["pgrep", "-af", str(spark_dir)], capture_output=True, text=True).stdout.splitlines()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(1)


def _raw_tables(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [f"raw.{t}" for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw' order by 1").fetchall()]


def read_spark(spark_dir: Path, raw_tables: list[str]) -> dict:
    """Every mart and report, each raw table's row count and the schemas' table lists, in one Spark child process."""
    from orchestration.engines.spark_worker import spark_frames

    queries = {t: f"select * from {t}" for t in TABLES}
    queries |= {f"count {t}": f"select count(*) as n from {t}" for t in raw_tables + ["audit.rejected_rows"]}
    queries |= {f"tables {schema}": f"show tables in {schema}" for schema in ("marts", "reporting")}
    return spark_frames(spark_dir, queries)


@pytest.fixture(scope="session")
def spark_run(tmp_path_factory) -> SparkRun:
    _spark_available()
    root = tmp_path_factory.mktemp("spark_run")
    landing = root / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    last_file = sorted((landing / "registry").glob("pakalpojumusniedzejudati_*"))[-1]
    last_file.unlink()  # the run has the history up to the snapshot before; step 2 adds this one
    started = time.perf_counter()
    run = run_pipeline(root / "run", landing, "--target", "spark", timeout=1800)
    if run.returncode != 0:
        pytest.fail(f"lvsocial run --target spark failed ({run.returncode}):\n{run.output[-5000:]}")
    spark_dir = run.warehouse.parent / "spark"
    leftover = _leftover(spark_dir)
    took = round(time.perf_counter() - started, 1)
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        loaded = {d for (d,) in con.execute(f"select distinct cast(_snapshot_date as varchar) from {REGISTRY}").fetchall()}
    digits = last_file.name.split("_")[1][:8]
    last = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    assert last not in loaded and loaded, (last, sorted(loaded))
    after = read_spark(spark_dir, _raw_tables(run.warehouse))
    print(f"\nSpark pipeline run: {took} s", file=sys.stderr)
    return SparkRun(run, spark_dir, last, leftover, after)


@pytest.fixture(scope="session")
def spark_build(spark_run, sample_run, tmp_path_factory) -> SparkBuild:
    """Step 2: the last snapshot's partition copied in from the DuckDB run of the whole sample, then the register's
    models built incrementally on Spark; `tables` is what Spark holds afterwards."""
    from orchestration.engines.spark_worker import TableCopy, copy_tables

    build = SparkBuild(spark_run, tmp_path_factory.mktemp("spark_incremental"))
    started = time.perf_counter()
    copied = copy_tables(sample_run.warehouse, spark_run.spark_dir, [TableCopy(REGISTRY, "_snapshot_date",
                                                                               [spark_run.last_snapshot])])
    build.timings["copy the last snapshot"] = round(time.perf_counter() - started, 1)
    assert copied == [{**copied[0], "table": REGISTRY, "whole": False}], copied
    # With the dbt unit tests, which the pipeline's build leaves out (tests/unit runs them on DuckDB).
    build.dbt("incremental", "build", "--select", "source:registry.registry_provider_services+",
              "resource_type:unit_test")
    started = time.perf_counter()
    build.tables = read_spark(spark_run.spark_dir, _raw_tables(sample_run.warehouse))
    build.timings["read back"] = round(time.perf_counter() - started, 1)
    print(f"\nSpark incremental timings (s): {build.timings}", file=sys.stderr)
    return build
