"""A small DuckDB file of purpose-made tables, for checking what a suite's own query reads from the warehouse:
`write_tables(path, {"marts.dim_service": [{"service_key": "s1", ...}, ...]})`. Each table has the columns of its
first row, typed from the first value given in each (bool, int, float, str, date; varchar when none is); None is
NULL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

TYPES = {bool: "boolean", int: "integer", float: "double", str: "varchar", dt.date: "date"}


def write_tables(path: Path, tables: dict[str, list[dict]]) -> Path:
    with duckdb.connect(str(path)) as con:
        for name, rows in tables.items():
            con.execute(f"create schema if not exists {name.split('.')[0]}")
            columns = list(rows[0])
            types = [TYPES[type(next((r[c] for r in rows if r[c] is not None), ''))] for c in columns]
            con.execute(f"create or replace table {name} ({', '.join(f'{c} {t}' for c, t in zip(columns, types))})")
            con.executemany(f"insert into {name} values ({', '.join('?' for _ in columns)})",
                            [[r[c] for c in columns] for r in rows])
    return path


def read_frame(path: Path, query: str):
    """The query's rows from the file, as the asset check reads them (a pandas frame)."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(query).df()
