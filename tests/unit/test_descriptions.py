"""Descriptions travel (docs/marts.md#descriptions): every mart and report column has a description in its yml; the
published copy carries the warehouse's table and column comments, as BI tools read them through SQLAlchemy
(duckdb-engine), and the Parquet files carry them in their key/value metadata. On purpose-made small files."""

from __future__ import annotations

import duckdb
import pytest
import sqlalchemy as sa
import yaml

from orchestration.config import DBT_PROJECT_DIR
from orchestration.engines.base import apply_comments, duckdb_comments, manifest_comments
from orchestration.publishing import COLUMN_KEY, publish

LAYERS = ("marts", "reporting")


def documented_models() -> dict[str, dict]:
    models = {}
    for layer in LAYERS:
        for path in sorted((DBT_PROJECT_DIR / "models" / layer).rglob("_*__models.yml")):
            for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
                models[model["name"]] = {**model, "_path": path}
    return models


def test_every_mart_and_report_model_and_column_is_described():
    models = documented_models()
    sql = {p.stem for layer in LAYERS for p in (DBT_PROJECT_DIR / "models" / layer).rglob("*.sql")}
    assert sql - set(models) == set(), "models without a yml entry"
    missing = [f"{m['_path'].name}: {name}" for name, m in models.items() if not str(m.get("description", "")).strip()]
    missing += [f"{m['_path'].name}: {name}.{c['name']}" for name, m in models.items()
                for c in m.get("columns", []) if not str(c.get("description", "")).strip()]
    assert missing == [], "described nowhere:\n" + "\n".join(missing)


def test_persist_docs_is_on_for_marts_and_reporting_except_on_spark():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    for layer in LAYERS:
        docs = project["models"]["lvsocial"][layer]["+persist_docs"]
        assert docs == {"relation": "{{ target.type != 'spark' }}", "columns": "{{ target.type != 'spark' }}"}


@pytest.fixture
def warehouse(tmp_path):
    """A warehouse file with one commented mart and one report, as dbt's persist_docs leaves them."""
    path = tmp_path / "lvsocial.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema reporting; create schema staging")
        con.execute("create table marts.dim_x (x_key varchar, \"Odd name\" integer, amount decimal(18,2))")
        con.execute("insert into marts.dim_x values ('a', 1, 2.50), ('b', 2, null)")
        con.execute("create table reporting.rpt_y (year integer, share double)")
        con.execute("insert into reporting.rpt_y values (2024, 0.5)")
        con.execute("create table staging.s (a integer)")
        con.execute("comment on table marts.dim_x is 'The x''s: one row per x.'")
        con.execute("comment on column marts.dim_x.x_key is 'Key of x; it''s unique.'")
        con.execute("comment on column marts.dim_x.\"Odd name\" is 'A column with a space.'")
        con.execute("comment on column marts.dim_x.amount is 'EUR, decimal(18,2).'")
        con.execute("comment on table reporting.rpt_y is 'One row per year.'")
        con.execute("comment on column reporting.rpt_y.year is 'The year.'")
        # reporting.rpt_y.share left without a comment on purpose
    return path


def test_the_published_copy_carries_the_comments_to_sqlalchemy_reflection(warehouse):
    published = publish(warehouse, run_id="test")
    engine = sa.create_engine(f"duckdb:///{published.duckdb_file}?access_mode=read_only")
    try:
        inspector = sa.inspect(engine)
        assert inspector.get_table_comment("dim_x", schema="marts") == {"text": "The x's: one row per x."}
        columns = {c["name"]: c["comment"] for c in inspector.get_columns("dim_x", schema="marts")}
        assert columns == {"x_key": "Key of x; it's unique.", "Odd name": "A column with a space.",
                           "amount": "EUR, decimal(18,2)."}
        report = {c["name"]: c["comment"] for c in inspector.get_columns("rpt_y", schema="reporting")}
        assert report == {"year": "The year.", "share": None}
        with engine.connect() as con:
            assert con.execute(sa.text("select count(*) from marts.dim_x")).scalar() == 2
    finally:
        engine.dispose()


def test_the_parquet_files_carry_the_comments_in_their_metadata(warehouse):
    published = publish(warehouse, run_id="test")
    with duckdb.connect() as con:
        meta = dict((k.decode(), v.decode()) for k, v in con.execute(
            "select key, value from parquet_kv_metadata(?)",
            [str(published.parquet_dir / "marts.dim_x.parquet")]).fetchall())
        report = dict((k.decode(), v.decode()) for k, v in con.execute(
            "select key, value from parquet_kv_metadata(?)",
            [str(published.parquet_dir / "reporting.rpt_y.parquet")]).fetchall())
        assert con.execute("select sum(amount) from read_parquet(?)",
                           [str(published.parquet_dir / "marts.dim_x.parquet")]).fetchone()[0] == 2.5
    assert meta == {"description": "The x's: one row per x.", COLUMN_KEY + "x_key": "Key of x; it's unique.",
                    COLUMN_KEY + "Odd name": "A column with a space.", COLUMN_KEY + "amount": "EUR, decimal(18,2)."}
    assert report == {"description": "One row per year.", COLUMN_KEY + "year": "The year."}


def test_manifest_comments_and_apply_comments():
    manifest = {"nodes": {
        "model.p.a": {"resource_type": "model", "schema": "marts", "name": "a", "alias": "a",
                      "description": "Table a.",
                      "columns": {"k": {"description": "It's k."}, "e": {"description": ""}}},
        "model.p.b": {"resource_type": "model", "schema": "staging", "name": "b", "description": "not published",
                      "columns": {}},
        "seed.p.c": {"resource_type": "seed", "schema": "marts", "name": "c", "description": "a seed", "columns": {}}}}
    comments = manifest_comments(manifest, LAYERS)
    assert comments == {"marts.a": ("Table a.", {"k": "It's k."})}
    with duckdb.connect() as con:
        con.execute("create schema marts; create table marts.a (k integer, e integer)")
        apply_comments(con, {**comments, "marts.a": ("Table a.", {"k": "It's k.", "gone": "no such column"})},
                       ["marts.a"])
        assert duckdb_comments(con, LAYERS) == comments
