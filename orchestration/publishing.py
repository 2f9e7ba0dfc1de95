"""Publishing the marts for BI: copy every table of the `marts` and `reporting` schemas into a new DuckDB file and
Parquet files, then swap them in atomically as the published copy (next to the warehouse file). Readers of the
published copy never wait for the pipeline, and a failed or crashed run leaves the last good copy in place."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration import swap
from orchestration.engines.base import Comments, duckdb_comments, sql_literal
from orchestration.engines.duckdb_engine import DuckDBEngine
from orchestration.settings import published_dir  # noqa: F401  (where the copy goes: one rule, in the settings)

PUBLISHED_SCHEMAS = ("marts", "reporting")


@dataclass
class Published:
    folder: Path
    duckdb_file: Path
    parquet_dir: Path
    tables: dict  # "schema.table" -> {"rows": n, "sha256": content hash}


def content_hash(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Order-independent hash of a table's content: the md5 of its rows' md5s, sorted."""
    return con.execute(f"""
        select coalesce(md5(string_agg(h, '' order by h)), md5(''))
        from (select md5(cast(t as varchar)) as h from {table} as t)
    """).fetchone()[0]


def table_fingerprints(con: duckdb.DuckDBPyConnection, schemas=PUBLISHED_SCHEMAS) -> dict:
    tables = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables where table_schema in "
        f"({', '.join(repr(s) for s in schemas)}) and table_type = 'BASE TABLE' order by 1").fetchall()
    return {t: {"rows": con.execute(f"select count(*) from {t}").fetchone()[0], "sha256": content_hash(con, t)}
            for (t,) in tables}


COLUMN_KEY = "description:"  # the Parquet key/value metadata key of a column's description: `description:<column>`


def parquet_metadata(table: str, comments: Comments) -> str:
    """The COPY option writing a table's comment (key `description`) and its columns' (`description:<column>`) into
    the Parquet file's key/value metadata, so tools reading only the Parquet files see the dbt descriptions too."""
    comment, columns = comments.get(table, (None, {}))
    pairs = ([("description", comment)] if comment else []) + [(COLUMN_KEY + c, d) for c, d in columns.items()]
    if not pairs:
        return ""
    return ", kv_metadata {" + ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in pairs) + "}"


def publish(warehouse: Path, run_id: str = "", engine=None, config: dict | None = None) -> Published:
    """Write the published copy from the warehouse and swap it in; return what was published. The marts are read
    from the run's `engine` (orchestration/engines/: the DuckDB file itself unless given, PostgreSQL or Spark); the
    copy is written by a DuckDB with `config` (the settings' memory limit and threads: `Settings.duckdb_config`)."""
    folder = published_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = swap.stamp()
    staging_db = swap.staging_path(folder / "lvsocial.duckdb", stamp)
    parquet_new = folder / f"parquet-{stamp}"  # a new folder per version: the `parquet` link is what swaps
    parquet_new.mkdir()
    try:
        with duckdb.connect(str(staging_db), config=config or {}) as pub:
            for schema in PUBLISHED_SCHEMAS:
                pub.execute(f"create schema if not exists {schema}")
            (engine or DuckDBEngine(warehouse)).pull_tables(pub, PUBLISHED_SCHEMAS)
            tables = table_fingerprints(pub)
            comments = duckdb_comments(pub, PUBLISHED_SCHEMAS)
            for table in tables:
                pub.execute(f"copy {table} to '{parquet_new / (table + '.parquet')}' "
                            f"(format parquet{parquet_metadata(table, comments)})")
            pub.execute("checkpoint")
        manifest = {"published_at": stamp, "run_id": run_id, "warehouse": str(warehouse), "tables": tables}
        (parquet_new / "_manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        # The swap: a rename of a file and of a symlink, each atomic on POSIX file systems.
        swap.swap_in(staging_db, folder / "lvsocial.duckdb")
        link_tmp = swap.staging_path(folder / "parquet", stamp)
        os.symlink(parquet_new.name, link_tmp)
        swap.swap_in(link_tmp, folder / "parquet")
        swap.write_text(folder / "manifest.json", json.dumps(manifest, indent=2))
    except BaseException:
        staging_db.unlink(missing_ok=True)
        shutil.rmtree(parquet_new, ignore_errors=True)
        raise
    _remove_old_versions(folder, keep=parquet_new.name)
    return Published(folder, folder / "lvsocial.duckdb", folder / "parquet", tables)


def _remove_old_versions(folder: Path, keep: str) -> None:
    for path in folder.glob("parquet-*"):
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)
    for path in folder.glob(".lvsocial.duckdb.*.tmp"):
        path.unlink(missing_ok=True)
