"""dbt's documentation site for BI users, built by the pipeline next to the warehouse file: `dbt docs generate` in a
temporary target folder, so the project's own `target/manifest.json` (which Dagster loads) is left alone, connected
to the warehouse read-only; then the site's files are copied to `dbt_docs/`."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from orchestration.config import DBT_PROJECT_DIR, dbt_executable

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


def _read_only_profiles(folder: Path) -> Path:
    """The project's profiles.yml with every DuckDB output opened read-only: generating docs only reads."""
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    for profile in profiles.values():
        for output in (profile.get("outputs") or {}).values():
            if output.get("type") == "duckdb":
                output.setdefault("config_options", {})["access_mode"] = "READ_ONLY"
    (folder / "profiles.yml").write_text(yaml.safe_dump(profiles, allow_unicode=True), encoding="utf-8")
    return folder


def generate_dbt_docs(warehouse: Path, timeout: int = 900) -> DbtDocs:
    """Run `dbt docs generate --static` on the warehouse and put the site in `dbt_docs/` next to it."""
    warehouse = Path(warehouse)
    folder = dbt_docs_dir(warehouse)
    with tempfile.TemporaryDirectory(prefix="lvsocial-dbt-docs-") as tmp:
        tmp_path = Path(tmp)
        target = tmp_path / "target"
        env = {**os.environ, "LVSOCIAL_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        cmd = [dbt_executable(), "docs", "generate", "--static", "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(_read_only_profiles(tmp_path)), "--target-path", str(target),
               "--log-path", str(tmp_path / "logs")]
        proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise DbtDocsError(f"dbt docs generate failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-4000:]}")
        missing = [name for name in SITE_FILES if not (target / name).exists()]
        if missing:
            raise DbtDocsError(f"dbt docs generate wrote no {', '.join(missing)} in {target}")
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
        if catalog.get("errors"):
            raise DbtDocsError(f"dbt docs generate could not read the catalog: {catalog['errors']}")
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        staging = folder.parent / f".{folder.name}-{stamp}.tmp"
        staging.mkdir(parents=True)
        try:
            for name in SITE_FILES:
                shutil.copy2(target / name, staging / name)
            old = folder.parent / f".{folder.name}-old-{stamp}.tmp"
            if folder.exists():
                os.replace(folder, old)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    models = sum(1 for node in manifest["nodes"].values() if node["resource_type"] == "model")
    catalogued = len(catalog.get("nodes", {})) + len(catalog.get("sources", {}))
    return DbtDocs(folder, folder / "static_index.html", models, catalogued)
