"""The published copy BI reads (DuckDB + Parquet next to the warehouse) on the sample run: complete, equal to the
marts, free of personal data; and the data-quality report."""

import json
import re

import duckdb

from orchestration.publishing import table_fingerprints

PERSONAL_CODE = re.compile(r"\b[0-3]\d[01]\d\d\d-?\d{5}\b|\b32\d{9}\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def test_published_copy_equals_the_marts(sample_run):
    published = sample_run.warehouse.parent / "published"
    manifest = json.loads((published / "manifest.json").read_text())
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        marts = table_fingerprints(con)
    with duckdb.connect(str(published / "lvsocial.duckdb"), read_only=True) as con:
        copy = table_fingerprints(con)
    assert "marts.fct_provider_services" in copy and "reporting.rpt_register_by_region_and_type" in copy
    assert copy == marts == manifest["tables"]
    # The published file holds marts and reporting only: no raw, no audit, no staging.
    with duckdb.connect(str(published / "lvsocial.duckdb"), read_only=True) as con:
        schemas = {s for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert schemas == {"marts", "reporting"}


def test_parquet_files_match(sample_run):
    parquet = sample_run.warehouse.parent / "published" / "parquet"
    assert parquet.is_symlink()  # swapped in atomically by replacing the link
    with duckdb.connect() as con:
        for table, info in json.loads((parquet / "_manifest.json").read_text())["tables"].items():
            n = con.execute(f"select count(*) from read_parquet('{parquet / (table + '.parquet')}')").fetchone()[0]
            assert n == info["rows"], table


def test_no_personal_data_in_the_published_copy(sample_run):
    published = sample_run.warehouse.parent / "published" / "lvsocial.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        columns = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                              "where data_type = 'VARCHAR'").fetchall()
        assert columns
        for schema, table, column in columns:
            values = [v for (v,) in con.execute(f'select distinct "{column}" from {schema}.{table}').fetchall() if v]
            hits = [v for v in values if PERSONAL_CODE.search(v) or EMAIL.search(v)]
            assert not hits, f"{schema}.{table}.{column}: {hits[:3]}"
    # The scan itself finds what it looks for.
    assert PERSONAL_CODE.search("010180-12345") and PERSONAL_CODE.search("32123456789")
    assert EMAIL.search("info1@example.lv")


def test_data_docs_are_built_and_linked(sample_run):
    index = sample_run.warehouse.parent / "quality" / "data_docs" / "index.html"
    assert index.exists()
    html = index.read_text()
    for suite in ("raw_registry_provider_services", "marts_fct_provider_services", "marts_dim_municipality"):
        assert suite in html
    assert str(index) in sample_run.output


def test_rejected_command_lists_rows_by_source_and_reason(sample_run):
    import subprocess

    from tests.conftest import LVSOCIAL

    out = subprocess.run([LVSOCIAL, "rejected", "--source", "registry"], env=sample_run.env(),
                         capture_output=True, text=True, check=True).stdout
    assert re.search(r"registry\s+2\s+2\s+missing register number", out)
    assert "sps_registrs_2013-01-02.csv:905 — missing status" in out
