"""The interface every target's engine has, and what all of them share: the raw tables dbt reads, the audit tables,
the DuckDB store's column types, and which partitions changed between the store and a target.

Files are always parsed into the DuckDB warehouse file first: it is the ingestion store, holding the raw tables
with their lineage and the audit tables (rejected rows, load log), loaded idempotently partition by partition. On
the `postgres` and `spark` targets every ingestion run then *mirrors* the partitions it changed into the same
`raw.*` and `audit.*` tables on the target, in bulk, and dbt builds the models there; the checks read the target. A
partition is copied when its files in `audit.load_log` (name, SHA-256, load time) differ between the DuckDB file and
the target, so a rerun copies nothing and a new snapshot copies one snapshot, and a new or emptied target receives
everything."""

from __future__ import annotations

from dataclasses import dataclass


class TargetError(ValueError):
    """The target cannot be used: unknown name, missing optional packages, server unreachable."""


# The raw tables dbt reads, each with its partition column and the `source` its files have in the audit tables.
def raw_tables() -> dict[str, tuple[str, str]]:
    """From the sources' declarations (ingestion/sources.py)."""
    from ingestion.sources import SOURCES

    return {table.name: (source.partition_column, table.audit_source)
            for source in SOURCES.values() for table in source.tables}


AUDIT_TABLES = ("rejected_rows", "filtered_rows", "load_log")  # load_log last: it marks a partition as copied

LOAD_LOG_QUERY = ("select partition_key, source_file, sha256, cast(loaded_at as varchar) from audit.load_log "
                  "where source = '{source}'")


@dataclass
class Column:
    name: str
    duckdb_type: str


def duckdb_columns(con, table: str) -> list[Column]:
    schema, name = table.split(".")
    rows = con.execute("select column_name, data_type from information_schema.columns where table_schema = ? "
                       "and table_name = ? order by ordinal_position", [schema, name]).fetchall()
    return [Column(n, t) for n, t in rows]


# Table and column comments, the dbt descriptions BI tools show: {"schema.table": (table comment, {column: comment})}.
Comments = dict[str, tuple[str | None, dict[str, str]]]


def duckdb_comments(con, schemas, catalog: str | None = None) -> Comments:
    """The comments of the tables of `schemas` in a DuckDB connection (of its attached `catalog` when given)."""
    where = f"schema_name in ({quote_list(schemas)}) and database_name = " + \
        (sql_literal(catalog) if catalog else "current_database()")
    comments: Comments = {}
    for schema, table, comment in con.execute(
            f"select schema_name, table_name, comment from duckdb_tables() where {where}").fetchall():
        comments[f"{schema}.{table}"] = (comment or None, {})
    for schema, table, column, comment in con.execute(
            f"select schema_name, table_name, column_name, comment from duckdb_columns() where {where} "
            "and comment is not null and comment <> ''").fetchall():
        comments.setdefault(f"{schema}.{table}", (None, {}))[1][column] = comment
    return comments


def manifest_comments(manifest: dict, schemas) -> Comments:
    """The descriptions of the models of `schemas` in a dbt manifest, as comments."""
    return {f"{n['schema']}.{n.get('alias') or n['name']}":
            (n.get("description") or None,
             {c: d["description"] for c, d in n.get("columns", {}).items() if d.get("description")})
            for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] in schemas}


def sql_literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def apply_comments(duck, comments: Comments, tables) -> None:
    """COMMENT ON each of `tables` in the DuckDB connection `duck` and on its columns, from `comments`."""
    for table in tables:
        comment, columns = comments.get(table, (None, {}))
        if comment:
            duck.execute(f"comment on table {table} is {sql_literal(comment)}")
        present = {c for (c,) in duck.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ? and "
            "database_name = current_database()", table.split(".")).fetchall()}
        for column, text in columns.items():
            if column in present:
                duck.execute(f'comment on column {table}."{column}" is {sql_literal(text)}')


def quote_list(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def changed_partitions(local: list[tuple], remote: list[tuple]) -> set[str]:
    """Partition keys whose (key, file, sha256, loaded_at) rows differ between the store and the target."""
    by_key: dict[str, list[set]] = {}
    for side, rows in ((0, local), (1, remote)):
        for key, *rest in rows:
            by_key.setdefault(str(key), [set(), set()])[side].add(tuple(str(x) for x in rest))
    return {key for key, (a, b) in by_key.items() if a != b}


class Engine:
    """The target's side of reading, mirroring and publishing. Queries handed to `frame` and `rows` are in the
    engine's own SQL; `dialect` turns the DuckDB SQL the checks are written in into it."""

    name: str
    # True when the models live in the DuckDB store itself (nothing to mirror; the file is what BI reads).
    in_store = False
    # True when `dbt parse` may run beside ingestion (it starts no process holding the engine, unlike Spark's JVM).
    parse_in_background = True

    def check(self) -> None:
        """Raise TargetError when the target cannot be used (called before a run starts)."""
        self.rows("select 1")

    def describe(self) -> str:
        """Where the models are, for the CLI's lines."""
        raise NotImplementedError

    def dialect(self, sql: str) -> str:
        """`sql`, written in DuckDB's SQL, in this engine's SQL."""
        return sql

    def frame(self, sql: str):
        raise NotImplementedError

    def rows(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def mirror(self, con, sources: list[str] | None = None, log=print) -> dict:
        """Copy the partitions of `sources` (all when None) whose files differ into the target; {table: rows}."""
        raise NotImplementedError

    def pull_tables(self, duck, schemas) -> list[str]:
        """Copy every model table of `schemas` into the DuckDB connection `duck` (the published copy)."""
        raise NotImplementedError
