"""The `duckdb` target (the default): the models are built in the warehouse file itself, the ingestion store, so
there is nothing to mirror, and the check queries' SQL is its own."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.engines.base import Engine, apply_comments, duckdb_comments


class DuckDBEngine(Engine):
    name = "duckdb"
    in_store = True

    def __init__(self, warehouse: Path | str, config: dict | None = None):
        self.warehouse = Path(warehouse)
        self.config = config or {}  # the connections' DuckDB settings (Settings.duckdb_config)

    def check(self) -> None:
        """Nothing to check: the file is created by the first load."""

    def describe(self) -> str:
        return str(self.warehouse)

    def _read(self):
        return duckdb.connect(str(self.warehouse), read_only=True, config=self.config)

    def frame(self, sql: str):
        with self._read() as con:
            return con.execute(sql).df()

    def rows(self, sql: str) -> list[tuple]:
        with self._read() as con:
            return con.execute(sql).fetchall()

    def mirror(self, con, sources: list[str] | None = None, log=print) -> dict:
        return {}  # the store is the target

    def pull_tables(self, duck, schemas) -> list[str]:
        """Every table of `schemas` in the warehouse file with its comments, copied through an attachment
        read-only."""
        listed = ", ".join(repr(s) for s in schemas)
        duck.execute(f"attach '{self.warehouse}' as wh (read_only)")
        try:
            tables = [t for (t,) in duck.execute(
                "select table_schema || '.' || table_name from information_schema.tables where "
                f"table_catalog = 'wh' and table_type = 'BASE TABLE' and table_schema in ({listed}) "
                "order by 1").fetchall()]
            for table in tables:
                duck.execute(f"create table {table} as select * from wh.{table}")
            apply_comments(duck, duckdb_comments(duck, schemas, catalog="wh"), tables)
        finally:
            duck.execute("detach wh")
        return tables
