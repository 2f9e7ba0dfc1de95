"""The dbt descriptions reach BI (docs/marts.md#descriptions): on the sample run every column of every mart and report
has a comment in the warehouse (dbt's persist_docs), in the published copy as a BI tool reads it through SQLAlchemy
reflection with duckdb-engine, and in the Parquet files' key/value metadata — each the yml's description."""

from __future__ import annotations

import json

import duckdb
import pytest
import sqlalchemy as sa

from orchestration.publishing import COLUMN_KEY, PUBLISHED_SCHEMAS


@pytest.fixture(scope="module")
def descriptions(sample_run) -> dict[str, tuple[str, dict[str, str]]]:
    """The yml descriptions of the published models, from the run's manifest."""
    manifest = json.loads((sample_run.warehouse.parent / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    return {f"{n['schema']}.{n['name']}": (n["description"], {c: d["description"] for c, d in n["columns"].items()})
            for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["schema"] in PUBLISHED_SCHEMAS}


def published_columns(sample_run) -> dict[str, list[str]]:
    with duckdb.connect(str(sample_run.warehouse.parent / "published" / "lvsocial.duckdb"), read_only=True) as con:
        rows = con.execute("select table_schema || '.' || table_name, column_name from information_schema.columns "
                           "where table_schema in ('marts', 'reporting') order by 1, ordinal_position").fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def test_every_published_column_is_described_in_the_yml(sample_run, descriptions):
    tables = published_columns(sample_run)
    assert len(tables) >= 20
    undescribed = [f"{t}.{c}" for t, cols in tables.items() for c in cols
                   if not descriptions.get(t, ("", {}))[1].get(c, "").strip()]
    assert undescribed == [], "columns the yml does not describe:\n" + "\n".join(undescribed)


def test_the_warehouse_has_the_comments(sample_run, descriptions):
    rows = sample_run.query("select schema_name || '.' || table_name, column_name, comment from duckdb_columns() "
                            "where schema_name in ('marts', 'reporting')")
    assert rows
    for table, column, comment in rows:
        assert comment and comment == descriptions[table][1].get(column), f"{table}.{column}"
    tables = sample_run.query("select schema_name || '.' || table_name, comment from duckdb_tables() "
                              "where schema_name in ('marts', 'reporting')")
    for table, comment in tables:
        assert comment == descriptions[table][0], table


def test_sqlalchemy_reflection_shows_a_comment_on_every_published_column(sample_run, descriptions):
    """What Superset and other SQLAlchemy-based tools read: duckdb-engine on the published file, read-only."""
    path = sample_run.warehouse.parent / "published" / "lvsocial.duckdb"
    engine = sa.create_engine(f"duckdb:///{path}?access_mode=read_only")
    try:
        inspector = sa.inspect(engine)
        seen = 0
        for schema in PUBLISHED_SCHEMAS:
            for table in inspector.get_table_names(schema=schema):
                qualified = f"{schema}.{table}"
                assert inspector.get_table_comment(table, schema=schema)["text"] == descriptions[qualified][0]
                for column in inspector.get_columns(table, schema=schema):
                    assert column["comment"], f"{qualified}.{column['name']} has no comment"
                    assert column["comment"] == descriptions[qualified][1][column["name"]]
                    seen += 1
        assert seen >= 200
    finally:
        engine.dispose()


def test_the_parquet_files_carry_the_descriptions(sample_run, descriptions):
    folder = sample_run.warehouse.parent / "published" / "parquet"
    tables = published_columns(sample_run)
    with duckdb.connect() as con:
        for table, columns in tables.items():
            meta = {k.decode(): v.decode() for k, v in con.execute(
                "select key, value from parquet_kv_metadata(?)", [str(folder / f"{table}.parquet")]).fetchall()}
            assert meta["description"] == descriptions[table][0], table
            for column in columns:
                assert meta[COLUMN_KEY + column] == descriptions[table][1][column], f"{table}.{column}"
