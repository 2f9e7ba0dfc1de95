"""dbt's own SQL for the floor: the seeds and compiled models of a `dbt compile` manifest, models in dependency
order, found by name (never by folder, so moving models between folders changes nothing here), and the SQL quoting
the floor needs to run them on one DuckDB connection."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The schemas whose tables are counted to compare the floor with the pipeline (audit and staging views aside).
COUNTED_SCHEMAS = ("raw", "reference", "intermediate", "marts", "reporting")


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value) -> str:
    """A SQL literal of a string, number, None or list."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(lit(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def _topological(nodes: dict[str, dict]) -> list[str]:
    """Node ids in dependency order (Kahn's algorithm; ties by name, so the order is stable)."""
    deps = {uid: {d for d in n.get("depends_on", {}).get("nodes", []) if d in nodes} for uid, n in nodes.items()}
    order, ready = [], sorted(uid for uid, d in deps.items() if not d)
    while ready:
        uid = ready.pop(0)
        order.append(uid)
        for other, d in deps.items():
            if uid in d:
                d.discard(uid)
                if not d and other not in order and other not in ready:
                    ready.append(other)
        ready.sort()
    missing = set(nodes) - set(order)
    if missing:
        raise RuntimeError(f"dependency cycle among dbt nodes: {', '.join(sorted(missing))}")
    return order


def dbt_nodes(manifest_path: Path) -> tuple[str, list[dict], list[dict]]:
    """(database, seeds, models in dependency order) of a compiled dbt manifest."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in ("seed", "model")}
    databases = {n["database"] for n in nodes.values()}
    if len(databases) != 1:
        raise RuntimeError(f"expected one database in {manifest_path}, found {sorted(databases)}")
    seeds, models = [], []
    for uid in _topological(nodes):
        n = nodes[uid]
        if n["resource_type"] == "seed":
            path = REPO / n["root_path"] / n["original_file_path"]  # a relative root_path is the repository's
            seeds.append({"name": n["alias"] or n["name"], "schema": n["schema"], "path": str(path),
                          "column_types": n["config"].get("column_types") or {}})
            continue
        code = n.get("compiled_code")
        if code is None:
            raise RuntimeError(f"{uid} has no compiled SQL in {manifest_path}: was it made by `dbt compile`?")
        materialized = n["config"]["materialized"]
        if materialized == "incremental":
            # Compiled against an empty warehouse, an incremental model's SQL is its full build: a table.
            materialized = "table"
        if materialized not in ("view", "table"):
            raise RuntimeError(f"{uid}: materialisation {materialized!r} is not supported by the floor")
        models.append({"name": n["alias"] or n["name"], "schema": n["schema"], "materialized": materialized,
                       "sql": code})
    return databases.pop(), seeds, models


def build_seeds(con, database: str, seeds: list[dict]) -> None:
    """Each seed as a table read by `read_csv` with the column types the dbt project gives it."""
    db = q(database)
    for seed in seeds:
        types = ("{" + ", ".join(f"{lit(c)}: {lit(t)}" for c, t in seed["column_types"].items()) + "}") \
            if seed["column_types"] else None
        options = f", types={types}" if types else ""
        con.execute(f"create schema if not exists {db}.{q(seed['schema'])}")
        con.execute(f"""create or replace table {db}.{q(seed['schema'])}.{q(seed['name'])} as
            select * from read_csv({lit(seed['path'])}, header=true, sample_size=-1{options})""")


def build_models(con, database: str, models: list[dict]) -> None:
    """Each model's compiled SQL as a view or table, in the order given (dependency order)."""
    db = q(database)
    for model in models:
        con.execute(f"create schema if not exists {db}.{q(model['schema'])}")
        kind = "view" if model["materialized"] == "view" else "table"
        con.execute(f"create or replace {kind} {db}.{q(model['schema'])}.{q(model['name'])} as (\n"
                    f"{model['sql']}\n)")


def count_rows(con) -> dict[str, int]:
    """Rows of every table (views aside) of the counted schemas of the connection's database, as `schema.table`."""
    rows = con.execute("select schema_name, table_name from duckdb_tables() where database_name = "
                       f"current_database() and schema_name in ({', '.join(lit(s) for s in COUNTED_SCHEMAS)}) "
                       "order by 1, 2").fetchall()
    return {f"{s}.{t}": con.execute(f"select count(*) from {q(s)}.{q(t)}").fetchone()[0] for s, t in rows}
