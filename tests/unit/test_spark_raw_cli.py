"""`python -m orchestration.engines.spark_worker copy`: the command line names tables and their partitions, and
DuckDB types map to the Spark types holding the same values (no Spark started here; tests/engines/test_spark_target.py
copies for real)."""

from __future__ import annotations

import pytest

from orchestration.engines import spark_worker as spark_raw
from orchestration.engines.spark_worker import TableCopy


@pytest.fixture
def copied(monkeypatch) -> list:
    calls = []
    monkeypatch.setattr(spark_raw, "copy_tables_here",
                        lambda duckdb, spark_dir, copies, **_: calls.append(copies) or [])
    return calls


def test_each_table_takes_the_partition_options_that_follow_it(copied):
    spark_raw.main(["copy", "--duckdb", "w.duckdb", "--spark-dir", "s",
                    "--table", "raw.registry_provider_services", "--partition-column", "_snapshot_date",
                    "--keys", "2025-01-01,2025-02-01", "--table", "audit.load_log"])
    assert copied == [[TableCopy("raw.registry_provider_services", "_snapshot_date", ["2025-01-01", "2025-02-01"]),
                       TableCopy("audit.load_log")]]


def test_no_table_means_every_raw_and_audit_table(copied):
    spark_raw.main(["copy", "--duckdb", "w.duckdb", "--spark-dir", "s"])
    assert copied == [None]


@pytest.mark.parametrize("args", [["--keys", "2025"], ["--table", "raw.population", "--keys", "2025"]])
def test_keys_need_a_table_and_its_partition_column(copied, args):
    with pytest.raises(SystemExit):
        spark_raw.main(["copy", "--duckdb", "w.duckdb", "--spark-dir", "s", *args])
    assert copied == []


@pytest.mark.parametrize("duckdb_type, spark_type", [
    ("VARCHAR", "string"), ("INTEGER", "int"), ("BIGINT", "bigint"), ("DOUBLE", "double"),
    ("DECIMAL(18,2)", "decimal(18,2)"), ("DECIMAL(38, 6)", "decimal(38,6)"), ("DATE", "date"),
    ("TIMESTAMP", "timestamp"), ("BOOLEAN", "boolean"),
])
def test_duckdb_types_map_to_spark_types(duckdb_type, spark_type):
    assert spark_raw.spark_type(duckdb_type) == spark_type


def test_an_unknown_type_is_refused():
    with pytest.raises(ValueError, match="STRUCT"):
        spark_raw.spark_type("STRUCT(a INTEGER)")
