"""Where the models are built: the DuckDB file (default), a PostgreSQL server, or Spark.

Files are always parsed into the DuckDB warehouse file first: it is the ingestion store, holding the raw tables
with their lineage and the audit tables (rejected rows, load log), loaded idempotently partition by partition. On
the `postgres` and `spark` targets every ingestion run then *mirrors* the partitions it changed into the same
`raw.*` and `audit.*` tables on the target, in bulk (PostgreSQL: `COPY ... FROM STDIN`; Spark: Parquet files read
into tables), and dbt builds the models there; the checks read the target. A partition is copied when its files
in `audit.load_log` (name, SHA-256, load time) differ between the DuckDB file and the target, so a rerun copies
nothing and a new snapshot copies one snapshot, and a new or emptied target receives everything.

The target comes from `lvsocial run --target`, else $LVSOCIAL_TARGET, else `duckdb`. PostgreSQL's connection
comes from $LVSOCIAL_PG_HOST, _PORT, _USER, _PASSWORD and _DATABASE (the same variables dbt's profile reads).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

TARGETS = ("duckdb", "postgres", "spark")

PG_DEFAULTS = {"LVSOCIAL_PG_HOST": "127.0.0.1", "LVSOCIAL_PG_PORT": "5432", "LVSOCIAL_PG_USER": "lvsocial",
               "LVSOCIAL_PG_PASSWORD": "", "LVSOCIAL_PG_DATABASE": "lvsocial"}


class TargetError(ValueError):
    """The target cannot be used: unknown name, missing optional packages, server unreachable."""


def target_name(value: str | None = None) -> str:
    name = (value or os.environ.get("LVSOCIAL_TARGET") or "duckdb").strip().lower()
    if name not in TARGETS:
        raise TargetError(f"unknown target {name!r}: choose one of {', '.join(TARGETS)}")
    return name


def spark_dir(warehouse: Path | str) -> Path:
    """Spark's SQL warehouse and Derby metastore: $LVSOCIAL_SPARK_DIR, else `spark/` next to the warehouse file."""
    return Path(os.environ.get("LVSOCIAL_SPARK_DIR") or Path(warehouse).parent / "spark").resolve()


def pg_settings() -> dict:
    env = {k: os.environ.get(k) or v for k, v in PG_DEFAULTS.items()}
    return {"host": env["LVSOCIAL_PG_HOST"], "port": int(env["LVSOCIAL_PG_PORT"]), "user": env["LVSOCIAL_PG_USER"],
            "password": env["LVSOCIAL_PG_PASSWORD"], "dbname": env["LVSOCIAL_PG_DATABASE"]}


# The raw tables dbt reads, each with its partition column and the `source` its files have in the audit tables.
def raw_tables() -> dict[str, tuple[str, str]]:
    from ingestion import budgets, esf, population, registry

    tables = {
        registry.TABLE: (registry.PARTITION_COLUMN, registry.SOURCE),
        esf.TABLE_CFLA: (esf.PARTITION_COLUMN, esf.SOURCE_CFLA),
        esf.TABLE_APIA_PROJECTS: (esf.PARTITION_COLUMN, esf.SOURCE_APIA_PROJECTS),
        esf.TABLE_APIA_SERVICES: (esf.PARTITION_COLUMN, esf.SOURCE_APIA_SERVICES),
        population.TABLE: (population.PARTITION_COLUMN, population.SOURCE),
    }
    for spec in budgets.FILES.values():
        tables[spec.table] = (budgets.PARTITION_COLUMN, spec.source)
    return tables


AUDIT_TABLES = ("rejected_rows", "filtered_rows", "load_log")  # load_log last: it marks a partition as copied


@dataclass
class Column:
    name: str
    duckdb_type: str


def duckdb_columns(con, table: str) -> list[Column]:
    schema, name = table.split(".")
    rows = con.execute("select column_name, data_type from information_schema.columns where table_schema = ? "
                       "and table_name = ? order by ordinal_position", [schema, name]).fetchall()
    return [Column(n, t) for n, t in rows]


def _quote_list(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


class Engine:
    """The target's side of mirroring and reading. DuckDB needs neither (it is the store itself)."""

    name = "duckdb"

    def check(self) -> None:
        """Raise TargetError when the target cannot be used (called before a run starts)."""
        self.rows("select 1")

    def frame(self, sql: str):
        raise NotImplementedError

    def rows(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    def mirror(self, con, sources: list[str] | None = None, log=print) -> dict:
        """Copy the partitions of `sources` (all when None) whose files differ into the target; {table: rows}."""
        raise NotImplementedError


def changed_partitions(local: list[tuple], remote: list[tuple]) -> set[str]:
    """Partition keys whose (key, file, sha256, loaded_at) rows differ between the store and the target."""
    by_key: dict[str, list[set]] = {}
    for side, rows in ((0, local), (1, remote)):
        for key, *rest in rows:
            by_key.setdefault(str(key), [set(), set()])[side].add(tuple(str(x) for x in rest))
    return {key for key, (a, b) in by_key.items() if a != b}


LOAD_LOG_QUERY = ("select partition_key, source_file, sha256, cast(loaded_at as varchar) from audit.load_log "
                  "where source = '{source}'")


class PostgresEngine(Engine):
    name = "postgres"

    PG_TYPES = {"VARCHAR": "text", "INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "smallint",
                "DOUBLE": "double precision", "FLOAT": "real", "DATE": "date", "TIMESTAMP": "timestamp",
                "TIMESTAMP WITH TIME ZONE": "timestamptz", "BOOLEAN": "boolean", "HUGEINT": "numeric(38)"}

    def __init__(self, settings: dict | None = None):
        try:
            import psycopg2  # noqa: F401
        except ImportError as exc:
            raise TargetError("the postgres target needs the optional packages: pip install -e '.[postgres]'") \
                from exc
        self.settings = settings or pg_settings()

    def connect(self):
        import psycopg2

        try:
            return psycopg2.connect(connect_timeout=10, application_name="lvsocial", **self.settings)
        except psycopg2.OperationalError as exc:
            where = f"{self.settings['user']}@{self.settings['host']}:{self.settings['port']}/{self.settings['dbname']}"
            raise TargetError(f"cannot connect to PostgreSQL {where} (set LVSOCIAL_PG_HOST, _PORT, _USER, "
                              f"_PASSWORD, _DATABASE): {str(exc).strip()}") from exc

    def pg_type(self, duckdb_type: str) -> str:
        t = duckdb_type.upper()
        if t.startswith("DECIMAL"):
            return t.replace("DECIMAL", "numeric")
        if t not in self.PG_TYPES:
            raise TargetError(f"no PostgreSQL type for DuckDB's {duckdb_type}")
        return self.PG_TYPES[t]

    def rows(self, sql: str) -> list[tuple]:
        pg = self.connect()
        try:
            with pg.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()
        finally:
            pg.close()

    def frame(self, sql: str):
        """The query's rows as a pandas frame typed as DuckDB's `.df()` types them (floats for numeric, datetime64
        for dates), so the Great Expectations suites see the same frame on every target."""
        import pandas as pd

        pg = self.connect()
        try:
            with pg.cursor() as cur:
                cur.execute(sql)
                names = [d.name for d in cur.description]
                oids = [d.type_code for d in cur.description]
                data = cur.fetchall()
        finally:
            pg.close()
        frame = pd.DataFrame.from_records(data, columns=names)
        for name, oid in zip(names, oids):
            if oid == 1700:  # numeric
                frame[name] = pd.to_numeric(frame[name].astype(object).where(frame[name].notna(), None),
                                            errors="coerce").astype("float64")
            elif oid in (1082, 1114):  # date, timestamp
                frame[name] = pd.to_datetime(frame[name])
        return frame

    def _ensure_table(self, cur, table: str, columns: list[Column]) -> None:
        schema = table.split(".")[0]
        cur.execute(f"create schema if not exists {schema}")
        cols = ", ".join(f'"{c.name}" {self.pg_type(c.duckdb_type)}' for c in columns)
        cur.execute(f"create table if not exists {table} ({cols})")
        for c in columns:  # columns added to the store later (e.g. load_log.parser_version)
            cur.execute(f'alter table {table} add column if not exists "{c.name}" {self.pg_type(c.duckdb_type)}')

    def _copy(self, con, cur, table: str, columns: list[Column], where: str) -> int:
        names = ", ".join(f'"{c.name}"' for c in columns)
        cur.execute(f"delete from {table} where {where}")
        with tempfile.TemporaryDirectory(prefix="lvsocial-copy-") as tmp:
            path = Path(tmp) / "rows.csv"
            con.execute(f"copy (select {names} from {table} where {where}) to '{path}' (format csv, header false)")
            with open(path, encoding="utf-8") as f:
                cur.copy_expert(f"copy {table} ({names}) from stdin with (format csv)", f)
            return cur.rowcount

    def mirror(self, con, sources: list[str] | None = None, log=print) -> dict:
        copied: dict[str, int] = {}
        pg = self.connect()
        try:
            with pg.cursor() as cur:
                audits = {t: duckdb_columns(con, f"audit.{t}") for t in AUDIT_TABLES}
                audits = {t: cols for t, cols in audits.items() if cols}  # filtered_rows: only once EU funds ran
                for table, cols in audits.items():
                    self._ensure_table(cur, f"audit.{table}", cols)
                pg.commit()
                for table, (column, source) in raw_tables().items():
                    if sources is not None and source not in sources:
                        continue
                    qualified = f"raw.{table}"
                    columns = duckdb_columns(con, qualified)
                    if not columns:
                        continue  # the source's raw table does not exist in the store yet
                    self._ensure_table(cur, qualified, columns)
                    local = con.execute(LOAD_LOG_QUERY.format(source=source)).fetchall()
                    cur.execute(LOAD_LOG_QUERY.format(source=source))
                    keys = sorted(changed_partitions(local, cur.fetchall()))
                    if not keys:
                        pg.commit()
                        continue
                    # One transaction per source: the target shows the old partitions or the new, never half.
                    raw_where = f"cast({column} as varchar) in ({_quote_list(keys)})"
                    copied[qualified] = self._copy(con, cur, qualified, columns, raw_where)
                    audit_where = f"source = '{source}' and partition_key in ({_quote_list(keys)})"
                    for audit, cols in audits.items():
                        self._copy(con, cur, f"audit.{audit}", cols, audit_where)
                    pg.commit()
                    log(f"copied {copied[qualified]:,} rows of {qualified} ({len(keys)} partition(s)) to PostgreSQL")
        except BaseException:
            pg.rollback()
            raise
        finally:
            pg.close()
        return copied


    DUCKDB_TYPES = {"text": "VARCHAR", "character varying": "VARCHAR", "character": "VARCHAR", "integer": "INTEGER",
                    "bigint": "BIGINT", "smallint": "SMALLINT", "double precision": "DOUBLE", "real": "FLOAT",
                    "boolean": "BOOLEAN", "date": "DATE", "timestamp without time zone": "TIMESTAMP",
                    "timestamp with time zone": "TIMESTAMPTZ"}

    def pull_tables(self, duck, schemas) -> list[str]:
        """Copy every table of `schemas` from the server into the DuckDB connection `duck` (same names and
        types; COPY ... TO STDOUT, then DuckDB's CSV reader); the published copy is made this way."""
        listed = ", ".join(f"'{s}'" for s in schemas)
        columns = self.rows(f"""select c.table_schema, c.table_name, c.column_name, c.data_type, c.numeric_precision,
                                       c.numeric_scale
                                from information_schema.columns c join information_schema.tables t
                                  on t.table_schema = c.table_schema and t.table_name = c.table_name
                                where c.table_schema in ({listed}) and t.table_type = 'BASE TABLE'
                                order by c.table_schema, c.table_name, c.ordinal_position""")
        tables: dict[str, list[tuple[str, str]]] = {}
        for schema, table, column, data_type, precision, scale in columns:
            if data_type == "numeric":
                # An unconstrained numeric (a sum of decimals) keeps its cents and more.
                duck_type = f"DECIMAL({precision},{scale})" if precision is not None else "DECIMAL(38,9)"
            elif data_type in self.DUCKDB_TYPES:
                duck_type = self.DUCKDB_TYPES[data_type]
            else:
                raise TargetError(f"{schema}.{table}.{column}: no DuckDB type for PostgreSQL's {data_type}")
            tables.setdefault(f"{schema}.{table}", []).append((column, duck_type))
        pg = self.connect()
        try:
            with pg.cursor() as cur, tempfile.TemporaryDirectory(prefix="lvsocial-pull-") as tmp:
                for table, cols in tables.items():
                    path = Path(tmp) / f"{table}.csv"
                    with open(path, "w", encoding="utf-8") as f:
                        cur.copy_expert(f"copy (select * from {table}) to stdout with (format csv)", f)
                    duck.execute(f"create table {table} ({', '.join(f'{chr(34)}{c}{chr(34)} {t}' for c, t in cols)})")
                    spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in cols) + "}"
                    duck.execute(f"insert into {table} select * from read_csv('{path}', header = false, "
                                 f"columns = {spec}, auto_detect = false, allow_quoted_nulls = false)")
        finally:
            pg.close()
        return list(tables)


def engine_for(target: str, warehouse: Path | str) -> Engine | None:
    """The engine that mirrors and reads the target; None for DuckDB (the warehouse file is the target)."""
    if target == "duckdb":
        return None
    if target == "postgres":
        return PostgresEngine()
    if target == "spark":
        from orchestration.spark_engine import SparkEngine

        return SparkEngine(spark_dir(warehouse), Path(warehouse))
    raise TargetError(f"unknown target {target!r}")
