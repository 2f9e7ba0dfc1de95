"""Where things live: the repository's dbt project, the warehouse file, the landing folder and the Dagster home,
each overridable by the CLI flags or environment variables; and preparing the dbt manifest explicitly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ingestion.landing import DEFAULT_LANDING, REPO_ROOT, landing_dir  # noqa: F401  (re-exported)

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "lvsocial.duckdb"
DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster_home"
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

DAGSTER_YAML = """\
# Written by lvsocial. Runs and their events are kept in SQLite files in this folder.
telemetry:
  enabled: false
# No "join the community" dialog in the UI: it asks auditors for an e-mail and covers the page.
nux:
  enabled: false
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: 1
"""


def warehouse_path(value: str | os.PathLike | None = None) -> Path:
    """The warehouse DuckDB file: the argument, else $LVSOCIAL_WAREHOUSE, else warehouse/lvsocial.duckdb."""
    return Path(value or os.environ.get("LVSOCIAL_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()


def dagster_home() -> Path:
    """The persistent Dagster instance folder ($DAGSTER_HOME, else .dagster_home in the repository)."""
    home = Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text(DAGSTER_YAML, encoding="utf-8")
    return home


def dbt_target_dir(warehouse: Path | str, target: str = "duckdb") -> Path:
    """dbt's target folder for builds on this warehouse, next to it. Its `partial_parse.msgpack` is only valid for
    the profile it was written with (the warehouse path is part of it), so each warehouse keeps its own: the next
    build on the same warehouse parses incrementally, and dbt docs read the manifest with the compiled SQL here.
    Builds on the postgres and spark targets keep theirs apart (`dbt_target_postgres`, …): the marker of the last
    build (which decides a full refresh) belongs to the engine that was built."""
    suffix = "" if target == "duckdb" else f"_{target}"
    return Path(warehouse).parent / f"dbt_target{suffix}"


def dbt_executable() -> str:
    """The dbt of this environment (next to the running Python), not whatever dbt is first on PATH."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


def manifest_is_stale() -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    if not MANIFEST.exists():
        return True
    built = MANIFEST.stat().st_mtime
    for sub in ("models", "macros", "seeds", "tests"):
        for path in (DBT_PROJECT_DIR / sub).rglob("*"):
            if path.is_file() and path.stat().st_mtime > built:
                return True
    return any((DBT_PROJECT_DIR / f).stat().st_mtime > built for f in ("dbt_project.yml", "profiles.yml"))


def prepare_manifest(force: bool = False, quiet: bool = False) -> Path:
    """Parse the dbt project into target/manifest.json when it is missing or stale (never at import time)."""
    if force or manifest_is_stale():
        if not quiet:
            print("Preparing the dbt manifest (dbt parse) ...", flush=True)
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        env.setdefault("LVSOCIAL_WAREHOUSE", str(warehouse_path()))
        proc = subprocess.run([dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                               "--profiles-dir", str(DBT_PROJECT_DIR)], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{proc.stdout}\n{proc.stderr}")
    return MANIFEST


def start_parse(warehouse: Path, engine) -> subprocess.Popen | None:
    """Start `dbt parse` into the warehouse's dbt target folder in the background, for the profile and target the
    build will use, so that the build parses incrementally (about 3 s less on the sample) instead of from scratch:
    a new warehouse has no `partial_parse.msgpack` valid for its path. Parsing opens no database connection, so it
    runs while ingestion writes the warehouse. Not on engines that say otherwise (`engine.parse_in_background`:
    dbt-spark's session adapter starts a JVM)."""
    if not engine.parse_in_background:
        return None
    target = engine.name
    folder = dbt_target_dir(warehouse, target)
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "LVSOCIAL_WAREHOUSE": str(warehouse)}
    log = open(folder / "background_parse.log", "w", encoding="utf-8")  # noqa: SIM115  (closed in finish_parse)
    proc = subprocess.Popen([dbt_executable(), "parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                             str(DBT_PROJECT_DIR), "--target", target, "--target-path", str(folder),
                             "--log-path", str(folder)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=DBT_PROJECT_DIR)
    proc.log_file = log  # type: ignore[attr-defined]
    return proc


def finish_parse(proc: subprocess.Popen | None, stop: bool = False) -> str | None:
    """Wait for `start_parse` (or with `stop`, end it: the run ended early); None when it succeeded (or was not
    started), else why it did not (the build then parses by itself, so this is a warning, never an error)."""
    if proc is None:
        return None
    if stop and proc.poll() is None:
        proc.terminate()
    try:
        code = proc.wait(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = "timeout"
    finally:
        proc.log_file.close()
    return None if code == 0 else f"background dbt parse ended with {code}; see {proc.log_file.name}"
