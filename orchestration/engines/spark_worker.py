"""The Spark engine's worker (orchestration/engines/spark_engine.py): copies tables of the DuckDB warehouse into Spark
tables of the same `schema.name` (Parquet files under <spark dir>/warehouse, the Hive metastore in Derby under
<spark dir>), whole or some partitions, through Parquet written by DuckDB. Also reads query results back as pandas
frames.

Derby admits one JVM at a time and dbt's `session` method starts its own JVM in the dbt process, so every Spark piece
here runs in a short-lived child process (`python -m orchestration.engines.spark_worker ...`) that is gone before
dbt starts."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from orchestration.settings import Settings

# The child processes run from the repository, so `-m orchestration.engines.spark_worker` resolves there.
REPO_ROOT = Path(__file__).resolve().parents[2]

# The schemas copied when no table is named; a raw table is then partitioned by its loader's partition column.
DEFAULT_SCHEMAS = ("raw", "audit")
RAW_PARTITION_COLUMNS = ("_snapshot_date", "_year", "_programming_period", "_partition")

_SIMPLE_TYPES = {
    "VARCHAR": "string", "INTEGER": "int", "BIGINT": "bigint", "SMALLINT": "smallint", "TINYINT": "tinyint",
    "DOUBLE": "double", "FLOAT": "float", "DATE": "date", "TIMESTAMP": "timestamp", "BOOLEAN": "boolean",
    "HUGEINT": "decimal(38,0)", "TIMESTAMP WITH TIME ZONE": "timestamp",
}


@dataclass
class TableCopy:
    """One table to copy. Without `keys` the whole table is replaced (and created partitioned by
    `partition_column`, if given); with `keys` only the partitions whose `partition_column` value, as text, is one
    of them (a key with no rows left in DuckDB drops its partition)."""

    table: str
    partition_column: str | None = None
    keys: list[str] | None = None


def spark_conf(spark_dir: Path | str) -> dict[str, str]:
    """The session settings, the same as the `spark` output of dbt_project/profiles.yml."""
    home = Path(spark_dir).resolve()
    return {
        "spark.master": Settings().spark_master,
        "spark.app.name": "lvsocial-raw",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.log.structuredLogging.enabled": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        # The check queries filter raw tables on their partition column (a date); Derby's metastore cannot
        # filter date partitions, so Spark lists them all instead of failing.
        "spark.sql.hive.metastorePartitionPruningFallbackOnException": "true",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.warehouse.dir": str(home / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": "jdbc:derby:;databaseName=metastore_db;create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={home} -Dderby.stream.error.file={home}/derby.log",
    }


def spark_type(duckdb_type: str) -> str:
    """A DuckDB column type as the Spark SQL type holding the same values."""
    upper = duckdb_type.upper()
    if upper in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[upper]
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", upper)
    if decimal:
        return f"decimal({decimal[1]},{decimal[2]})"
    raise ValueError(f"no Spark type for DuckDB type {duckdb_type}")


def _log(message: str) -> None:
    print(f"[spark_worker] {message}", file=sys.stderr, flush=True)


def _session(spark_dir: Path):
    from pyspark.sql import SparkSession

    spark_dir.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(spark_dir).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _duckdb_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    schema, name = table.split(".")
    rows = con.execute("select column_name, data_type from information_schema.columns "
                       "where table_schema = ? and table_name = ? order by ordinal_position", [schema, name]).fetchall()
    if not rows:
        raise ValueError(f"{table} is not in the DuckDB warehouse")
    return [(column, spark_type(dtype)) for column, dtype in rows]


def _spark_layout(spark, table: str) -> tuple[list[tuple[str, str]], list[str]] | None:
    """(columns with types, partition columns) of an existing Spark table, None when there is none."""
    if not spark.catalog.tableExists(table):
        return None
    columns = spark.catalog.listColumns(table)
    return ([(c.name, c.dataType) for c in columns], [c.name for c in columns if c.isPartition])


def _quote(name: str) -> str:
    return f"`{name}`"


def _copy_one(spark, con: duckdb.DuckDBPyConnection, copy: TableCopy, scratch: Path, subset: bool = False) -> dict:
    started = time.perf_counter()
    columns = _duckdb_columns(con, copy.table)
    partitions = [copy.partition_column] if copy.partition_column else []
    # Spark keeps partition columns last.
    ordered = [c for c in columns if c[0] not in partitions] + [c for c in columns if c[0] in partitions]
    existing = _spark_layout(spark, copy.table)
    whole = (copy.keys is None or existing is None
             or sorted(existing[0]) != sorted(ordered) or existing[1] != partitions)
    if copy.keys is not None and whole:
        if subset:  # the rows at hand are only the named partitions: copying them "whole" would lose the others
            raise RuntimeError(f"{copy.table}: missing or laid out otherwise in Spark; copy the whole table")
        _log(f"{copy.table}: missing or laid out otherwise in Spark, copied whole")

    where = ""
    if not whole:
        where = f" where cast({copy.partition_column} as varchar) in (select unnest(?::varchar[]))"
    parquet = scratch / f"{copy.table}.parquet"
    con.execute(f"copy (select * from {copy.table}{where}) to '{parquet}' (format parquet)",
                [copy.keys] if where else [])

    schema = copy.table.split(".")[0]
    spark.sql(f"create database if not exists {schema}")
    if whole:
        spark.sql(f"drop table if exists {copy.table}")
        ddl = ", ".join(f"{_quote(name)} {dtype}" for name, dtype in ordered)
        partitioned = f" partitioned by ({', '.join(map(_quote, partitions))})" if partitions else ""
        spark.sql(f"create table {copy.table} ({ddl}) using parquet{partitioned}")

    spark.read.parquet(str(parquet)).createOrReplaceTempView("_incoming")
    select = ", ".join(f"cast({_quote(name)} as {dtype}) as {_quote(name)}" for name, dtype in ordered)
    if whole:
        spark.sql(f"insert into {copy.table} select {select} from _incoming")
    else:
        partition_clause = f" partition ({', '.join(map(_quote, partitions))})"
        spark.sql(f"insert overwrite table {copy.table}{partition_clause} select {select} from _incoming")
        present = {str(r[0]) for r in spark.sql(
            f"select distinct cast({_quote(copy.partition_column)} as string) from _incoming").collect()}
        for key in sorted(set(copy.keys) - present):
            escaped = key.replace("\\", "\\\\").replace("'", "\\'")
            spark.sql(f"alter table {copy.table} drop if exists "
                      f"partition ({_quote(copy.partition_column)} = '{escaped}')")
    rows = spark.table("_incoming").count()
    spark.catalog.dropTempView("_incoming")
    seconds = round(time.perf_counter() - started, 2)
    scope = "whole table" if whole else f"partitions {', '.join(copy.keys)}"
    _log(f"{copy.table}: {rows} rows ({scope}) in {seconds} s")
    return {"table": copy.table, "rows": rows, "whole": whole, "seconds": seconds}


def _parquet_views(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose `schema.table` views read `<folder>/schema.table.parquet` (what the parent process
    exported from a warehouse it holds open for writing)."""
    con = duckdb.connect()
    for path in sorted(folder.glob("*.parquet")):
        schema, table = path.name.removesuffix(".parquet").split(".")
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create view {schema}.{table} as select * from read_parquet('{path}')")
    return con


def copy_tables_here(duckdb_path: Path | str | None, spark_dir: Path | str,
                     copies: list[TableCopy] | None = None, parquet_dir: Path | None = None,
                     spark=None) -> list[dict]:
    """Copy in this process (which then holds the metastore until it exits: prefer `copy_tables`). Without `copies`,
    every table of the raw and audit schemas, whole. With `parquet_dir`, the tables are read from the Parquet files
    there instead of the DuckDB file."""
    spark_dir = Path(spark_dir).resolve()
    opened = _parquet_views(parquet_dir) if parquet_dir is not None \
        else duckdb.connect(str(duckdb_path), read_only=True)
    with opened as con:
        if copies is None:
            copies = [TableCopy(f"{s}.{t}", partition) for s, t, partition in con.execute(
                "select t.schema_name, t.table_name, (select min(c.column_name) from duckdb_columns() as c "
                "  where c.schema_name = t.schema_name and c.table_name = t.table_name "
                "  and t.schema_name = 'raw' and c.column_name in (select unnest(?))) "
                "from duckdb_tables() as t where t.schema_name in (select unnest(?)) order by all",
                [list(RAW_PARTITION_COLUMNS), list(DEFAULT_SCHEMAS)]).fetchall()]
        own = spark is None
        spark = _session(spark_dir) if own else spark
        try:
            with tempfile.TemporaryDirectory(dir=spark_dir, prefix="copy-") as scratch:
                return [_copy_one(spark, con, copy, Path(scratch), subset=parquet_dir is not None)
                        for copy in copies]
        finally:
            if own:
                spark.stop()


def _child(args: list[str]) -> str:
    """Run this module in a child process; return its stdout (a JSON line). Its progress lines are printed to
    stdout (in a Dagster run: the run's log); Spark's own chatter is dropped, and on failure the error lines of
    its output are in the exception."""
    proc = subprocess.run([sys.executable, "-m", "orchestration.engines.spark_worker", *args],
                          capture_output=True, text=True, cwd=REPO_ROOT)
    for line in proc.stderr.splitlines():
        if line.startswith("[spark_worker]"):
            print(line, flush=True)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines()
                  if re.search(r"(Exception|Error)\b", line) and " WARN " not in line and not line.startswith("\t")]
        detail = "\n".join(e[:600] for e in errors[-4:]) or proc.stderr[-2000:]
        raise RuntimeError(f"python -m orchestration.engines.spark_worker {args[0]} failed with exit code "
                           f"{proc.returncode}:\n{detail}")
    return proc.stdout.strip().splitlines()[-1]


def copy_tables(duckdb_path: Path | str, spark_dir: Path | str, copies: list[TableCopy] | None = None,
                connection: duckdb.DuckDBPyConnection | None = None, persistent: bool = False) -> list[dict]:
    """`copy_tables_here` in a short-lived child process, so that no JVM holds the metastore afterwards. A caller
    that holds the DuckDB file open for writing passes its `connection` (the child could not open the file): the
    rows to copy are then exported to Parquet here and the child reads those."""
    args = ["copy", "--duckdb", str(Path(duckdb_path).resolve()), "--spark-dir", str(Path(spark_dir).resolve())]
    with tempfile.TemporaryDirectory(prefix="lvsocial-spark-copy-") as scratch:
        if connection is not None:
            if copies is None:
                raise ValueError("copy_tables with a connection needs the copies named")
            for c in copies:
                where, params = "", []
                if c.keys is not None:
                    where, params = f" where cast({c.partition_column} as varchar) in (select unnest(?::varchar[]))", \
                        [c.keys]
                connection.execute(f"copy (select * from {c.table}{where}) to '{Path(scratch) / c.table}.parquet' "
                                   "(format parquet)", params)
            args += ["--from-parquet", scratch]
        spec = Path(scratch) / "spec.json"
        spec.write_text(json.dumps([asdict(c) for c in copies] if copies is not None else None), encoding="utf-8")
        if persistent:
            return worker(spark_dir).request({"op": "copy", "duckdb": str(Path(duckdb_path).resolve()),
                                              "spec": str(spec), "parquet_dir": scratch if connection else None})
        return json.loads(_child([*args, "--spec", str(spec)]))


def spark_frames(spark_dir: Path | str, queries: dict[str, str], persistent: bool = False):
    """{name: SQL} -> {name: pandas DataFrame}: the queries run in one child Spark process that writes Parquet,
    read back with DuckDB into pandas (DuckDB maps the types as it does for its own tables)."""
    with tempfile.TemporaryDirectory(prefix="spark-frames-") as out:
        spec = Path(out) / "queries.json"
        spec.write_text(json.dumps(queries), encoding="utf-8")
        if persistent:
            worker(spark_dir).request({"op": "query", "spec": str(spec), "out": out})
        else:
            _child(["query", "--spark-dir", str(Path(spark_dir).resolve()), "--spec", str(spec), "--out", out])
        with duckdb.connect() as con:
            return {name: con.execute(f"select * from read_parquet('{Path(out) / name}/*.parquet')").df()
                    for name in queries}


def spark_frame(spark_dir: Path | str, sql: str):
    """The result of one Spark SQL query as a pandas DataFrame (read in a child process)."""
    return spark_frames(spark_dir, {"result": sql})["result"]


def _query_here(spark_dir: Path, queries: dict[str, str], out: Path, spark=None) -> dict:
    own = spark is None
    spark = _session(spark_dir.resolve()) if own else spark
    try:
        counts = {}
        for name, sql in queries.items():
            frame = spark.sql(sql)
            frame.coalesce(1).write.mode("overwrite").parquet(str(out / name))
            counts[name] = frame.count()
            _log(f"{name}: {counts[name]} rows")
        return counts
    finally:
        if own:
            spark.stop()


# -- a persistent worker: one JVM for the many small requests of one pipeline process --------------------------

_MARK = "@@lvsocial-spark@@ "


def _serve(spark_dir: Path) -> int:
    """Answer JSON requests (one per line on stdin) with one JSON line each on stdout, after the mark, holding one
    Spark session; end (and release the metastore) when stdin closes."""
    spark = None
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                spark = spark or _session(spark_dir.resolve())
                spec = json.loads(Path(request["spec"]).read_text(encoding="utf-8"))
                if request["op"] == "copy":
                    copies = None if spec is None else [TableCopy(**c) for c in spec]
                    parquet = Path(request["parquet_dir"]) if request.get("parquet_dir") else None
                    result = copy_tables_here(request["duckdb"], spark_dir, copies, parquet_dir=parquet, spark=spark)
                else:
                    result = _query_here(spark_dir, spec, Path(request["out"]), spark=spark)
                answer = {"ok": True, "result": result}
            except Exception as exc:  # the error goes back to the caller; the session stays for the next request
                answer = {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:3000]}"}
            sys.stdout.write(_MARK + json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        if spark is not None:
            spark.stop()
    return 0


class SparkWorker:
    """A `python -m orchestration.engines.spark_worker serve` child holding one JVM. Its Spark log goes to
    `<spark dir>/spark-worker.log`."""

    def __init__(self, spark_dir: Path):
        self.spark_dir = Path(spark_dir).resolve()
        self.spark_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.spark_dir / "spark-worker.log", "a", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, "-m", "orchestration.engines.spark_worker", "serve",
                                      "--spark-dir", str(self.spark_dir)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=REPO_ROOT)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, request: dict):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        for line in self.proc.stdout:
            if line.startswith(_MARK):
                answer = json.loads(line[len(_MARK):])
                if not answer["ok"]:
                    raise RuntimeError(answer["error"])
                for table in answer["result"] if request["op"] == "copy" else []:
                    print(f"[spark_worker] {table['table']}: {table['rows']} rows in {table['seconds']} s", flush=True)
                return answer["result"]
        raise RuntimeError(f"the Spark worker ended (exit code {self.proc.wait()}); its log: "
                           f"{self.spark_dir / 'spark-worker.log'}")

    def close(self) -> None:
        if self.alive():
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


_WORKERS: dict[Path, SparkWorker] = {}


def worker(spark_dir: Path | str) -> SparkWorker:
    key = Path(spark_dir).resolve()
    current = _WORKERS.get(key)
    if current is None or not current.alive():
        if current is not None:
            current.close()
        import atexit

        _WORKERS[key] = current = SparkWorker(key)
        atexit.register(current.close)
    return current


def stop_workers() -> None:
    """End every Spark worker of this process (before dbt's own Spark session needs the metastore)."""
    for key in list(_WORKERS):
        _WORKERS.pop(key).close()


class _TableAction(argparse.Action):
    """--table starts a copy; --partition-column and --keys refine the last one."""

    def __call__(self, parser, namespace, value, option_string=None):
        copies = getattr(namespace, "copies", None) or []
        if option_string == "--table":
            copies.append(TableCopy(value))
        elif not copies:
            parser.error(f"{option_string} must follow a --table")
        elif option_string == "--partition-column":
            copies[-1].partition_column = value
        else:
            copies[-1].keys = [k for k in value.split(",") if k]
        namespace.copies = copies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.engines.spark_worker",
                                     description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    copy = commands.add_parser("copy", help="copy DuckDB tables into Spark (default: all raw.* and audit.*, whole)")
    copy.add_argument("--duckdb", required=True, type=Path)
    copy.add_argument("--spark-dir", required=True, type=Path)
    copy.add_argument("--spec", type=Path, help="JSON list of {table, partition_column, keys} (null: the default)")
    copy.add_argument("--from-parquet", type=Path, help="read the tables from <dir>/<schema>.<table>.parquet "
                                                        "instead of the DuckDB file")
    for option in ("--table", "--partition-column", "--keys"):
        copy.add_argument(option, action=_TableAction, dest="copies", metavar=option.strip("-").upper())
    query = commands.add_parser("query", help="write the results of Spark SQL queries as Parquet")
    query.add_argument("--spark-dir", required=True, type=Path)
    query.add_argument("--spec", required=True, type=Path, help="JSON object {name: SQL}")
    query.add_argument("--out", required=True, type=Path, help="folder: one Parquet folder per name")
    serve = commands.add_parser("serve", help="answer copy and query requests (JSON lines on stdin) with one "
                                              "Spark session until stdin closes")
    serve.add_argument("--spark-dir", required=True, type=Path)
    args = parser.parse_args(argv)

    if args.command == "serve":
        return _serve(args.spark_dir)
    if args.command == "copy":
        copies = args.copies
        if args.spec is not None:
            if copies:
                parser.error("give --spec or --table, not both")
            spec = json.loads(args.spec.read_text(encoding="utf-8"))
            copies = None if spec is None else [TableCopy(**c) for c in spec]
        for c in copies or []:
            if c.keys is not None and not c.partition_column:
                parser.error(f"{c.table}: --keys needs --partition-column")
        result = copy_tables_here(args.duckdb, args.spark_dir, copies, parquet_dir=args.from_parquet)
    else:
        result = _query_here(args.spark_dir, json.loads(args.spec.read_text(encoding="utf-8")), args.out)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
