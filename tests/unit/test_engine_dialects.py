"""Each engine turns the checks' DuckDB SQL into its own: the rewrites PostgreSQL and Spark need, and nothing else."""

from __future__ import annotations

import duckdb
import pytest

from ingestion.common import fold_lv_sql
from orchestration.cli.parsing import build_parser
from orchestration.engines.duckdb_engine import DuckDBEngine
from orchestration.engines.postgres_engine import PostgresEngine
from orchestration.engines.spark_engine import SparkEngine
from orchestration.engines.targets import TARGETS, engine_for

QUERY = f"select try_cast(code as integer), cast(amount as double), cast(n as varchar), {fold_lv_sql('status')} from t"


def test_postgres_casts_only_integer_text_and_spells_double():
    sql = PostgresEngine({}).dialect(QUERY)
    assert "try_cast" not in sql
    assert "case when trim(cast(code as text)) ~ '^[+-]?[0-9]{1,9}$' then cast(trim(cast(code as text)) as integer)" \
        in sql
    assert "cast(amount as double precision)" in sql
    assert ", 'g')" in sql  # PostgreSQL needs the flag to replace every match


def test_postgres_refuses_a_try_cast_it_cannot_rewrite():
    with pytest.raises(ValueError, match="only try_cast"):
        PostgresEngine({}).dialect("select try_cast(x as date) from t")


def test_spark_drops_the_g_flag_doubles_backslashes_and_says_string(tmp_path):
    sql = SparkEngine(tmp_path, tmp_path / "w.duckdb").dialect(QUERY)
    assert "'g'" not in sql and r"'\\s+'" in sql
    assert "cast(n as string)" in sql and "try_cast(code as integer)" in sql


def test_duckdb_reads_the_query_as_written(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select ' 7 ' as code, 1.5 as amount, 3 as n, 'Ģimenes  ĀRSTS ' as status")
    engine = engine_for("duckdb", path)
    assert isinstance(engine, DuckDBEngine) and engine.dialect(QUERY) == QUERY
    assert engine.rows(QUERY) == [(7, 1.5, "3", "gimenes arsts")]


def test_the_cli_offers_every_target():
    run = build_parser()._subparsers._group_actions[0].choices["run"]
    target = next(a for a in run._actions if a.dest == "target")
    assert tuple(target.choices) == TARGETS == ("duckdb", "postgres", "spark")
