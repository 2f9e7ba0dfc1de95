"""The targets the models can be built on — the one list of them — and the engine of each. The target comes from
`lvsocial run --target`, else $LVSOCIAL_TARGET, else `duckdb`."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.engines.base import Engine, TargetError
from orchestration.engines.duckdb_engine import DuckDBEngine
from orchestration.engines.postgres_engine import PostgresEngine
from orchestration.engines.spark_engine import SparkEngine, spark_dir

ENGINES: dict[str, type[Engine]] = {e.name: e for e in (DuckDBEngine, PostgresEngine, SparkEngine)}
TARGETS = tuple(ENGINES)


def target_name(value: str | None = None) -> str:
    name = (value or os.environ.get("LVSOCIAL_TARGET") or "duckdb").strip().lower()
    if name not in TARGETS:
        raise TargetError(f"unknown target {name!r}: choose one of {', '.join(TARGETS)}")
    return name


def engine_for(target: str, warehouse: Path | str) -> Engine:
    """The engine that mirrors to and reads the target of the warehouse file `warehouse`."""
    if target == "duckdb":
        return DuckDBEngine(warehouse)
    if target == "postgres":
        return PostgresEngine()
    if target == "spark":
        return SparkEngine(spark_dir(warehouse), Path(warehouse))
    raise TargetError(f"unknown target {target!r}")
