"""The `spark` target: mirroring raw and audit into Spark tables, reading query results back, pulling the marts for
the published copy, and the few rewrites the checks' DuckDB SQL needs on Spark (its type map is the worker's).

Spark runs in local mode with a Derby metastore, which one JVM at a time may open; dbt's `session` method starts its
JVM inside the `dbt build` process. So every Spark piece here runs in a short-lived child process (`python -m
orchestration.engines.spark_worker`), gone before dbt starts, and the number of those processes is kept small: what
was last copied is remembered in `mirrored_load_log.json` in the Spark folder (only lvsocial writes that folder), so
a run with nothing new starts no JVM at all, and the check queries of one step share one JVM."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from orchestration.engines.base import (
    AUDIT_TABLES,
    LOAD_LOG_QUERY,
    Engine,
    TargetError,
    apply_comments,
    changed_partitions,
    duckdb_columns,
    manifest_comments,
    raw_tables,
)
from orchestration.settings import dbt_target_dir

STATE_FILE = "mirrored_load_log.json"

# The check queries' DuckDB-only constructs Spark reads otherwise: `regexp_replace(s, pattern, replacement, 'g')`
# (Spark replaces every match without, and refuses, the flag), backslashes in string literals (Spark reads `'\s'`
# as `s`, so they are doubled) and `cast(... as varchar)` (Spark wants a length; its unbounded text is `string`).
_REGEXP_G = re.compile(r",\s*'g'\s*\)")
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_AS_VARCHAR = re.compile(r"\bas\s+varchar\s*\)", re.IGNORECASE)


class SparkEngine(Engine):
    name = "spark"
    parse_in_background = False  # dbt-spark's session adapter starts a JVM, which would hold the metastore

    def __init__(self, spark_dir: Path, warehouse: Path):
        self.spark_dir = Path(spark_dir)
        self.warehouse = Path(warehouse)

    def describe(self) -> str:
        return f"Spark (local; warehouse and metastore in {self.spark_dir})"

    def dialect(self, sql: str) -> str:
        sql = _AS_VARCHAR.sub("as string)", sql)
        return _LITERAL.sub(lambda m: m.group(0).replace("\\", "\\\\"), _REGEXP_G.sub(")", sql))

    def check(self) -> None:
        try:
            import pyspark  # noqa: F401
        except ImportError as exc:
            raise TargetError("the spark target needs the optional packages: pip install -e '.[spark]'") from exc
        if shutil.which("java") is None:
            raise TargetError("the spark target needs Java 17 or newer on PATH (Debian: openjdk-17-jre-headless)")

    # -- reading --

    def frames(self, queries: dict[str, str]) -> dict:
        from orchestration.engines.spark_worker import spark_frames

        try:
            return spark_frames(self.spark_dir, queries, persistent=True)
        except RuntimeError as exc:
            raise TargetError(f"Spark ({self.spark_dir}): {exc}") from exc

    def frame(self, sql: str):
        return self.frames({"result": sql})["result"]

    def rows(self, sql: str) -> list[tuple]:
        return list(self.frame(sql).itertuples(index=False, name=None))

    def pull_tables(self, duck, schemas) -> list[str]:
        """Every model table of `schemas` (from dbt's manifest) read from Spark in one child process, written into
        the DuckDB connection with the types Spark's Parquet gives (string → VARCHAR, decimal(18,2) → DECIMAL), and
        their descriptions from the manifest as comments (dbt-spark comments no column of a Parquet table)."""
        manifest_path = dbt_target_dir(self.warehouse, "spark") / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        tables = sorted({f"{n['schema']}.{n.get('alias') or n['name']}" for n in manifest["nodes"].values()
                         if n["resource_type"] == "model" and n["schema"] in schemas
                         and n["config"].get("materialized") in ("table", "incremental")})
        frames = self.frames({t: f"select * from {t}" for t in tables})
        for table, frame in frames.items():
            duck.register("_pulled", frame)
            duck.execute(f"create table {table} as select * from _pulled")
            duck.unregister("_pulled")
        apply_comments(duck, manifest_comments(manifest, schemas), tables)
        return tables

    # -- mirroring --

    def _state_path(self) -> Path:
        return self.spark_dir / STATE_FILE

    def _mirrored(self) -> dict:
        path = self._state_path()
        if not path.exists() or not (self.spark_dir / "metastore_db").exists():
            return {}  # a new (or wiped) Spark folder holds nothing
        return json.loads(path.read_text(encoding="utf-8"))

    def mirror(self, con, sources: list[str] | None = None, log=print) -> dict:
        from orchestration.engines.spark_worker import TableCopy, copy_tables

        state = self._mirrored()
        copies, planned, new_state = [], {}, dict(state)
        for table, (column, source) in raw_tables().items():
            if sources is not None and source not in sources:
                continue
            qualified = f"raw.{table}"
            if not duckdb_columns(con, qualified):
                continue
            local = [list(map(str, r)) for r in con.execute(LOAD_LOG_QUERY.format(source=source)).fetchall()]
            if qualified in state:
                keys = sorted(changed_partitions([tuple(r) for r in local], [tuple(r) for r in state[qualified]]))
                if not keys:
                    continue
                copies.append(TableCopy(qualified, column, keys))
            else:
                copies.append(TableCopy(qualified, column, None))  # first copy: the whole table, partitioned
                keys = ["all"]
            planned[qualified] = keys
            new_state[qualified] = local
        if not copies:
            return {}
        copies += [TableCopy(f"audit.{t}") for t in AUDIT_TABLES if duckdb_columns(con, f"audit.{t}")]
        try:
            results = copy_tables(self.warehouse, self.spark_dir, copies, connection=con, persistent=True)
        except RuntimeError as first:
            if not state:
                raise TargetError(f"copying to Spark ({self.spark_dir}) failed: {first}") from first
            # Spark's tables are not what the remembered state says (a table dropped by hand, a wiped folder):
            # forget the state and copy every table of these sources whole.
            log(f"copying partitions to Spark failed ({first}); copying the tables whole")
            self._state_path().unlink(missing_ok=True)
            return self.mirror(con, sources, log)
        self.spark_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._state_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(new_state), encoding="utf-8")
        tmp.replace(self._state_path())
        copied = {r["table"]: r["rows"] for r in results if r["table"] in planned}
        for table, rows in copied.items():
            log(f"copied {rows:,} rows of {table} ({len(planned[table])} partition(s)) to Spark")
        return copied
