"""The `postgres` target: raw and audit mirrored with `COPY ... FROM STDIN`, the models built there by dbt, query
results read back typed as DuckDB types them, the marts pulled for the published copy; PostgreSQL's type map and
the few rewrites the checks' DuckDB SQL needs on it.

The connection comes from the settings (`Settings.pg`: $LVSOCIAL_PG_HOST, _PORT, _USER, _PASSWORD and _DATABASE, the
same variables dbt's profile reads)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from orchestration.engines.base import (
    AUDIT_TABLES,
    LOAD_LOG_QUERY,
    Column,
    Comments,
    Engine,
    TargetError,
    apply_comments,
    changed_partitions,
    duckdb_columns,
    quote_list,
    raw_tables,
)

# The check queries' DuckDB-only constructs PostgreSQL lacks: `try_cast(<expr> as integer)` (a CASE casts only text
# that is an integer) and `cast(... as double)` (spelt `double precision`). Other DuckDB-only SQL fails on the
# server with its error naming it; the dbt models have dispatch macros for the same gaps (macros/portable.sql).
_TRY_CAST_INT = re.compile(r"\btry_cast\s*\(", re.IGNORECASE)
_AS_DOUBLE = re.compile(r"\bas\s+double\s*\)", re.IGNORECASE)


def _balanced(sql: str, start: int) -> int:
    """Index just past the parenthesis that closes the one opened before `start`."""
    depth, i, quoted = 1, start, False
    while i < len(sql):
        ch = sql[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced parentheses in: {sql[start - 10:start + 60]!r}")


def _try_cast(sql: str) -> str:
    out, pos = [], 0
    for match in _TRY_CAST_INT.finditer(sql):
        if match.start() < pos:
            continue
        end = _balanced(sql, match.end())
        inner = sql[match.end():end - 1]
        m = re.fullmatch(r"(?is)\s*(.*?)\s+as\s+integer\s*", inner)
        if not m:
            raise ValueError(f"only try_cast(... as integer) is rewritten for PostgreSQL, not try_cast({inner})")
        text = f"trim(cast({m.group(1)} as text))"
        out += [sql[pos:match.start()],
                f"case when {text} ~ '^[+-]?[0-9]{{1,9}}$' then cast({text} as integer) end"]
        pos = end
    return "".join(out) + sql[pos:]


class PostgresEngine(Engine):
    name = "postgres"

    PG_TYPES = {"VARCHAR": "text", "INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "smallint",
                "DOUBLE": "double precision", "FLOAT": "real", "DATE": "date", "TIMESTAMP": "timestamp",
                "TIMESTAMP WITH TIME ZONE": "timestamptz", "BOOLEAN": "boolean", "HUGEINT": "numeric(38)"}

    def __init__(self, settings: dict | None = None):
        if settings is None:
            from orchestration.settings import Settings

            settings = Settings().pg
        self.settings = settings

    def check(self) -> None:
        try:
            import psycopg2  # noqa: F401
        except ImportError as exc:
            raise TargetError("the postgres target needs the optional packages: pip install -e '.[postgres]'") \
                from exc
        self.rows("select 1")

    def describe(self) -> str:
        s = self.settings
        return f"PostgreSQL {s['user']}@{s['host']}:{s['port']}/{s['dbname']}"

    def dialect(self, sql: str) -> str:
        return _AS_DOUBLE.sub("as double precision)", _try_cast(sql))

    def connect(self):
        import psycopg2

        try:
            return psycopg2.connect(connect_timeout=10, application_name="lvsocial", **self.settings)
        except psycopg2.OperationalError as exc:
            raise TargetError(f"cannot connect to {self.describe()} (set LVSOCIAL_PG_HOST, _PORT, _USER, "
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
                    raw_where = f"cast({column} as varchar) in ({quote_list(keys)})"
                    copied[qualified] = self._copy(con, cur, qualified, columns, raw_where)
                    audit_where = f"source = '{source}' and partition_key in ({quote_list(keys)})"
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
        types, and the comments dbt wrote there; COPY ... TO STDOUT, then DuckDB's CSV reader); the published copy
        is made this way."""
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
        apply_comments(duck, self.comments(schemas), list(tables))
        return list(tables)

    def comments(self, schemas) -> Comments:
        """The table and column comments on the server (pg_description) of the tables of `schemas`."""
        comments: Comments = {}
        for schema, table, column, text in self.rows(f"""
                select n.nspname, c.relname, a.attname, d.description
                from pg_description d
                join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass
                join pg_namespace n on n.oid = c.relnamespace
                left join pg_attribute a on a.attrelid = c.oid and a.attnum = d.objsubid and d.objsubid > 0
                where n.nspname in ({quote_list(schemas)}) order by d.objsubid"""):
            entry = comments.setdefault(f"{schema}.{table}", (None, {}))
            if column is None:
                comments[f"{schema}.{table}"] = (text, entry[1])
            else:
                entry[1][column] = text
        return comments
