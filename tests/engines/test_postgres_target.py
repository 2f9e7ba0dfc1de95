"""The warehouse on PostgreSQL: `lvsocial run --target postgres` on the sample builds every mart on the server, equal
to the DuckDB build; the raw partitions are mirrored once; the checks read the server; bad settings fail clearly."""

from __future__ import annotations

import json
import subprocess

import duckdb
import psycopg2
import pytest

from orchestration.engines.base import changed_partitions
from orchestration.engines.postgres_engine import PostgresEngine
from tests.conftest import LVSOCIAL, SAMPLE_LANDING, run_pipeline
from tests.marts_equal import assert_frames_equal


@pytest.fixture(scope="module")
def pg_run(tmp_path_factory, postgres_server, monkeypatch_module):
    dbname = postgres_server.database("lvsocial_test")
    for key, value in postgres_server.env(dbname).items():
        monkeypatch_module.setenv(key, value)
    run = run_pipeline(tmp_path_factory.mktemp("pg_run"), SAMPLE_LANDING, "--target", "postgres")
    if run.returncode != 0:
        pytest.fail(f"lvsocial run --target postgres failed ({run.returncode}):\n{run.output[-5000:]}")
    run.pg = postgres_server.settings(dbname)
    return run


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def pg_query(settings: dict, sql: str) -> tuple[list[str], list[tuple]]:
    con = psycopg2.connect(**settings)
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return [d.name for d in cur.description], cur.fetchall()
    finally:
        con.close()


def duck_query(warehouse, sql: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cur = con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()


def test_every_mart_on_postgres_equals_the_duckdb_build(sample_run, pg_run):
    _, tables = duck_query(sample_run.warehouse, "select table_schema || '.' || table_name from "
                           "information_schema.tables where table_schema in ('marts', 'reporting') order by 1")
    _, pg_tables = pg_query(pg_run.pg, "select table_schema || '.' || table_name from information_schema.tables "
                                       "where table_schema in ('marts', 'reporting') order by 1")
    assert [t for (t,) in pg_tables] == [t for (t,) in tables]
    assert len(tables) >= 15
    import pandas as pd

    for (table,) in tables:
        columns, rows = duck_query(sample_run.warehouse, f"select * from {table}")
        reference = pd.DataFrame.from_records(rows, columns=columns)
        columns, rows = pg_query(pg_run.pg, f"select * from {table}")
        assert_frames_equal(reference, pd.DataFrame.from_records(rows, columns=columns), table)


def test_mart_column_types_follow_the_contracts(pg_run):
    """Contracts hold on PostgreSQL: decimals stay numeric(18,2), ratios double precision, keys text."""
    _, rows = pg_query(pg_run.pg, """select table_name, column_name, data_type, numeric_precision, numeric_scale
                                     from information_schema.columns where table_schema = 'marts'""")
    types = {(t, c): (d, p, s) for t, c, d, p, s in rows}
    assert types[("fct_municipal_expenditure", "executed_eur")] == ("numeric", 18, 2)
    assert types[("fct_social_work_staffing", "specialists_per_1000")][0] == "double precision"
    assert types[("fct_provider_services", "snapshot_date")][0] == "date"
    assert types[("fct_provider_services", "register_number")][0] == "integer"


def test_raw_and_audit_are_mirrored_row_for_row(pg_run):
    """The server holds exactly the file's raw and audit rows (what the checks and dbt read)."""
    for table in ("raw.registry_provider_services", "raw.budget_expenditure", "raw.population",
                  "audit.rejected_rows", "audit.load_log"):
        _, duck = duck_query(pg_run.warehouse, f"select count(*) from {table}")
        _, pg = pg_query(pg_run.pg, f"select count(*) from {table}")
        assert pg == duck and duck[0][0] > 0, table
    _, rejected = pg_query(pg_run.pg, "select source, source_file, source_row, reason from audit.rejected_rows")
    _, local = duck_query(pg_run.warehouse, "select source, source_file, source_row, reason from audit.rejected_rows")
    assert sorted(rejected) == sorted(local)


def test_mirror_copies_only_what_changed(pg_run):
    engine = PostgresEngine(pg_run.pg)
    with duckdb.connect(str(pg_run.warehouse)) as con:
        assert engine.mirror(con, log=lambda _: None) == {}  # a rerun copies nothing
        # A partition lost on the server (or loaded again in the file) is copied again, and only it.
        key, n = con.execute("select cast(_snapshot_date as varchar), count(*) from raw.registry_provider_services "
                             "group by 1 order by 1 desc limit 1").fetchone()
    pg = psycopg2.connect(**pg_run.pg)
    with pg, pg.cursor() as cur:
        cur.execute("delete from raw.registry_provider_services where cast(_snapshot_date as varchar) = %s", [key])
        cur.execute("delete from audit.load_log where source = 'registry' and partition_key = %s", [key])
    pg.close()
    with duckdb.connect(str(pg_run.warehouse)) as con:
        assert engine.mirror(con, log=lambda _: None) == {"raw.registry_provider_services": n}
    _, [(count,)] = pg_query(pg_run.pg, "select count(*) from raw.registry_provider_services where "
                                        f"cast(_snapshot_date as varchar) = '{key}'")
    assert count == n


def test_changed_partitions_compares_files_both_ways():
    local = [("2020-01-01", "a.json", "sha1", "t1"), ("2020-02-01", "b.json", "sha2", "t2")]
    assert changed_partitions(local, local) == set()
    assert changed_partitions(local, local[:1]) == {"2020-02-01"}  # new in the file
    assert changed_partitions(local[:1], local) == {"2020-02-01"}  # gone from the file
    reloaded = [("2020-01-01", "a.json", "sha9", "t3"), local[1]]
    assert changed_partitions(reloaded, local) == {"2020-01-01"}  # same name, new content


def test_checks_ran_on_the_server(pg_run):
    """The run's checks passed on PostgreSQL, and each check query reads the same frame there as in DuckDB."""
    assert "checks: " in pg_run.output and " 0 failed" in pg_run.output
    from expectations import budgets, esf, population, registry
    from expectations import marts as mart_suites
    from expectations import reports as report_suites
    from orchestration.resources import Warehouse

    queries = [registry.QUERY, population.QUERY, budgets.EXPENDITURE_QUERY, budgets.EXPENDITURE_PLAUSIBLE_QUERY,
               budgets.STATISTICS_QUERY, budgets.STAFFING_QUERY, esf.CFLA.query, esf.APIA_PROJECTS.query,
               esf.APIA_SERVICES.query] + [q for q, _ in {**mart_suites.SUITES, **report_suites.SUITES}.values()]
    duck = Warehouse(path=str(pg_run.warehouse))
    server = Warehouse(path=str(pg_run.warehouse), target="postgres")
    assert server.engine().settings["dbname"] == pg_run.pg["dbname"]
    for query in queries:
        on_pg = server.frame(query)
        assert len(on_pg) > 0, query
        if "raw." not in query:
            continue  # the DuckDB file of a postgres run holds no models; the marts equal the DuckDB build above
        on_duck = duck.frame(query)
        assert list(on_pg.columns) == list(on_duck.columns), query
        assert len(on_pg) == len(on_duck), query


def test_published_copy_is_pulled_from_the_server(pg_run):
    manifest = json.loads((pg_run.warehouse.parent / "published" / "manifest.json").read_text(encoding="utf-8"))
    _, [(n,)] = pg_query(pg_run.pg, "select count(*) from marts.fct_provider_services")
    assert manifest["tables"]["marts.fct_provider_services"]["rows"] == n > 0
    _, types = duck_query(pg_run.warehouse.parent / "published" / "lvsocial.duckdb",
                          "select data_type from information_schema.columns where table_schema = 'marts' and "
                          "table_name = 'fct_municipal_expenditure' and column_name = 'executed_eur'")
    assert types == [("DECIMAL(18,2)",)]


def test_every_mart_and_report_column_has_its_comment_on_the_server(pg_run):
    """dbt's persist_docs wrote the yml descriptions as comments on PostgreSQL, where BI tools connecting to the
    server read them, and the published copy pulled from the server carries the same comments."""
    _, rows = pg_query(pg_run.pg, """select c.table_schema || '.' || c.table_name, c.column_name,
                                            col_description(format('%I.%I', c.table_schema, c.table_name)::regclass,
                                                            c.ordinal_position)
                                     from information_schema.columns c join information_schema.tables t
                                       on t.table_schema = c.table_schema and t.table_name = c.table_name
                                     where c.table_schema in ('marts', 'reporting') and t.table_type = 'BASE TABLE'""")
    assert len(rows) >= 200
    assert [f"{t}.{c}" for t, c, comment in rows if not comment] == []
    _, tables = pg_query(pg_run.pg, "select n.nspname || '.' || c.relname, obj_description(c.oid, 'pg_class') "
                                    "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                                    "where n.nspname in ('marts', 'reporting') and c.relkind = 'r'")
    assert tables and [t for t, comment in tables if not comment] == []
    _, published = duck_query(pg_run.warehouse.parent / "published" / "lvsocial.duckdb",
                              "select schema_name || '.' || table_name, column_name, comment from duckdb_columns() "
                              "where schema_name in ('marts', 'reporting')")
    assert sorted(published) == sorted(rows)


def test_unreachable_server_is_a_clear_error(tmp_path):
    env = {"LVSOCIAL_PG_HOST": "127.0.0.1", "LVSOCIAL_PG_PORT": "1", "DAGSTER_HOME": str(tmp_path / "dh"),
           "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([LVSOCIAL, "run", "--target", "postgres", "--warehouse", str(tmp_path / "w.duckdb")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "cannot connect to PostgreSQL lvsocial@127.0.0.1:1/lvsocial" in proc.stderr
    assert "Traceback" not in proc.stderr
