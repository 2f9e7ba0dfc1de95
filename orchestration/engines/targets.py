"""The targets the models can be built on — the one list of them — and the engine of each. The target comes from
the settings (`lvsocial run --target`, else $LVSOCIAL_TARGET, else `duckdb`: orchestration/settings.py)."""

from __future__ import annotations

from pathlib import Path

from orchestration.engines.base import Engine, TargetError
from orchestration.engines.duckdb_engine import DuckDBEngine
from orchestration.engines.postgres_engine import PostgresEngine
from orchestration.engines.spark_engine import SparkEngine
from orchestration.settings import Settings

ENGINES: dict[str, type[Engine]] = {e.name: e for e in (DuckDBEngine, PostgresEngine, SparkEngine)}
TARGETS = tuple(ENGINES)


def target_name(value: str | None = None) -> str:
    """The target's name, checked against the list (TargetError when it is none of them)."""
    name = (value or "duckdb").strip().lower()
    if name not in TARGETS:
        raise TargetError(f"unknown target {name!r}: choose one of {', '.join(TARGETS)}")
    return name


def engine_for(target: str, warehouse: Path | str, settings: Settings | None = None) -> Engine:
    """The engine that mirrors to and reads the target of the warehouse file `warehouse`; its server and folders
    from `settings` (by default this process's, with this warehouse)."""
    settings = settings or Settings().replace(warehouse=warehouse, target=target)
    if target == "duckdb":
        return DuckDBEngine(warehouse, settings.duckdb_config())
    if target == "postgres":
        return PostgresEngine(settings.pg)
    if target == "spark":
        return SparkEngine(settings.spark_folder, Path(warehouse))
    raise TargetError(f"unknown target {target!r}")
