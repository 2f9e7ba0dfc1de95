"""dbt's documentation site for BI users, built by the pipeline next to the warehouse file.

The site is dbt's own single-page app (`index.html` from dbt-core) fed with two documents: the manifest the
pipeline's `dbt build` wrote (it holds the compiled SQL), and a catalog of the warehouse's tables, views and
columns. dbt builds that catalog with `dbt docs generate`, a second dbt process that parses the project again
(10 s of a 60 s run on the sample); here the same catalog is read straight from DuckDB's `information_schema`,
read-only, in a fraction of a second. `static_index.html` is the page with both documents inlined, as
`dbt docs generate --static` writes it, so the site opens from disk."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.config import MANIFEST, dbt_target_dir
from orchestration.swap import staged_folder

DOCS_FOLDER = "dbt_docs"
# static_index.html holds the manifest and catalog inside, so it opens from disk (file://); index.html reads the
# two JSON files beside it and needs a web server (`python -m http.server` in the folder).
SITE_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")


def dbt_docs_dir(warehouse: Path) -> Path:
    return Path(warehouse).parent / DOCS_FOLDER


class DbtDocsError(RuntimeError):
    pass


@dataclass
class DbtDocs:
    folder: Path
    static_index: Path
    models: int  # models in the manifest
    catalogued: int  # tables and views the catalog describes (columns and types from the warehouse)


def _index_template() -> Path:
    """dbt-core's docs page (the file `dbt docs generate` copies); found without importing dbt."""
    spec = importlib.util.find_spec("dbt")
    if spec is None or not spec.submodule_search_locations:
        raise DbtDocsError("dbt-core is not installed in this environment: no docs page to build the site from")
    page = Path(next(iter(spec.submodule_search_locations))) / "task" / "docs" / "index.html"
    if not page.exists():
        raise DbtDocsError(f"dbt-core's docs page {page} is missing")
    return page


def _manifest(warehouse: Path, target: str = "duckdb") -> dict:
    """The manifest of the last `dbt build` on this warehouse (with compiled SQL), else the project's parsed one."""
    for path in (dbt_target_dir(warehouse, target) / "manifest.json", MANIFEST):
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise DbtDocsError(f"no dbt manifest: neither {dbt_target_dir(warehouse, target)} nor {MANIFEST.parent} holds one; "
                       "run `lvsocial run` (or `lvsocial prepare`) first")


def build_catalog(warehouse: Path, manifest: dict, rows=None) -> dict:
    """dbt's catalog.json (v1) for the manifest's relations, read from the warehouse's information_schema (or, with
    `rows`, a function running SQL on the postgres target, from the server's)."""
    wanted = {}
    for section in ("nodes", "sources"):
        for uid, node in manifest.get(section, {}).items():
            relational = node["resource_type"] in ("model", "seed", "snapshot", "source")
            if relational and node.get("config", {}).get("materialized") != "ephemeral":
                name = node.get("identifier") or node.get("alias") or node["name"]
                wanted[(node["schema"].lower(), name.lower())] = (section, uid)
    queries = ["select current_database()",
               """select table_schema, table_name, table_type from information_schema.tables
                  where table_catalog = current_database()""",
               """select table_schema, table_name, column_name, data_type, ordinal_position
                  from information_schema.columns where table_catalog = current_database()
                  order by table_schema, table_name, ordinal_position"""]
    if rows is None:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            results = [con.execute(q).fetchall() for q in queries]
    else:
        results = [rows(q) for q in queries]
    database, tables, columns = results[0][0][0], results[1], results[2]
    catalog: dict = {"nodes": {}, "sources": {}}
    for schema, name, kind in tables:
        if (schema.lower(), name.lower()) not in wanted:
            continue
        section, uid = wanted[(schema.lower(), name.lower())]
        catalog[section][uid] = {
            "metadata": {"type": kind, "schema": schema, "name": name, "database": database, "comment": None,
                         "owner": None},
            "columns": {}, "unique_id": uid,
            "stats": {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": False, "include": False,
                                    "description": "Indicates whether there are statistics for this table"}},
        }
    for schema, name, column, data_type, position in columns:
        key = (schema.lower(), name.lower())
        if key in wanted:
            section, uid = wanted[key]
            if uid in catalog[section]:
                catalog[section][uid]["columns"][column] = {"type": data_type, "index": position, "name": column,
                                                            "comment": None}
    return {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json",
                     "dbt_version": manifest.get("metadata", {}).get("dbt_version"),
                     "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                     "invocation_id": str(uuid.uuid4()), "env": {}},
        **catalog, "errors": None,
    }


def generate_dbt_docs(warehouse: Path, target: str = "duckdb", rows=None) -> DbtDocs:
    """Write dbt's docs site for the warehouse into `dbt_docs/` next to it (swapped in whole, by rename)."""
    warehouse = Path(warehouse)
    folder = dbt_docs_dir(warehouse)
    manifest = _manifest(warehouse, target)
    catalog = build_catalog(warehouse, manifest, rows)
    page = _index_template().read_text(encoding="utf-8")
    manifest_text = json.dumps(manifest, ensure_ascii=False)
    catalog_text = json.dumps(catalog, ensure_ascii=False)
    static = page.replace('"MANIFEST.JSON INLINE DATA"', manifest_text) \
                 .replace('"CATALOG.JSON INLINE DATA"', catalog_text)
    documents = {"index.html": page, "static_index.html": static, "manifest.json": manifest_text,
                 "catalog.json": catalog_text}
    with staged_folder(folder) as staging:
        for name in SITE_FILES:
            (staging / name).write_text(documents[name], encoding="utf-8")
    models = sum(1 for node in manifest["nodes"].values() if node["resource_type"] == "model")
    catalogued = len(catalog.get("nodes", {})) + len(catalog.get("sources", {}))
    return DbtDocs(folder, folder / "static_index.html", models, catalogued)
