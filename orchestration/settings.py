"""The one settings object (docs/design.md#d15): where lvsocial reads and writes, the target and its servers, and the
folders derived from them. Environment variables are read here and nowhere else in the product (prefix
`LVSOCIAL_`, plus Dagster's `DAGSTER_HOME`); the CLI builds `Settings` from its flags over them and passes it
down, the definitions build their resources from `Settings()` when they load, and `child_env()` is what the
edge exports to the processes it starts (dbt, the Spark worker, `dagster dev` and the daemon's code locations),
which read the same variables."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingestion.landing import DEFAULT_LANDING, REPO_ROOT

DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "lvsocial.duckdb"
DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster_home"
DEFAULT_ARCHIVE = REPO_ROOT / "archive"

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


# DuckDB's memory (docs/design.md#d15): a share of the memory available when the settings are made, between a floor
# and a cap. The cap keeps a whole run near the budget (≤ 2 GiB peak at ×10, 3 GiB at ×100): at the peak
# the run's own process holds about 0.5 GiB and dbt's process about 0.3 GiB more than its DuckDB's limit (at ×10
# with 1.5 GiB: 511 + 1,842 MiB). It is not lower because at 1 GiB the ×10 build runs out of memory in
# rpt_territories_without_services (BENCHMARKS.md, *Memory that adapts*). The floor keeps a small machine working
# (DuckDB spills to disk beyond the limit) rather than failing at once.
DUCKDB_MEMORY_SHARE = 0.25
DUCKDB_MEMORY_FLOOR_MIB = 512
DUCKDB_MEMORY_CAP_MIB = 1536
# The share is rounded down to whole steps: the limit is part of dbt's profile, and a profile that changed makes
# dbt parse the whole project again instead of partially (a few MiB more or less free must not do that).
DUCKDB_MEMORY_STEP_MIB = 256
MIB = 1024 * 1024


def available_memory(meminfo: Path = Path("/proc/meminfo"), cgroup: Path = Path("/sys/fs/cgroup")) -> int | None:
    """Bytes of memory this process may still use: the kernel's MemAvailable, lowered to what the cgroup (a
    container's limit, cgroup v2) leaves; None where neither can be read (then the cap applies)."""
    found = []
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError):
        pass
    try:
        limit = (cgroup / "memory.max").read_text().strip()
        if limit != "max":
            found.append(max(int(limit) - int((cgroup / "memory.current").read_text().strip()), 0))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def default_duckdb_memory_limit(available: int | None) -> str:
    """DuckDB's memory limit for `available` bytes of free memory: the share, at least the floor, at most the cap."""
    if available is None:
        return f"{DUCKDB_MEMORY_CAP_MIB}MiB"
    share = int(available * DUCKDB_MEMORY_SHARE / MIB) // DUCKDB_MEMORY_STEP_MIB * DUCKDB_MEMORY_STEP_MIB
    return f"{min(max(share, DUCKDB_MEMORY_FLOOR_MIB), DUCKDB_MEMORY_CAP_MIB)}MiB"


@cache
def machine_duckdb_memory_limit() -> str:
    """The default limit of this process, computed once: every DuckDB connection to one file in a process must have
    the same config, so a second `Settings()` must not find a few MiB more or less free."""
    return default_duckdb_memory_limit(available_memory())


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and `taskset` narrow)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


class Settings(BaseSettings):
    """Every field is overridable by its environment variable (`LVSOCIAL_<FIELD>`, upper case; the Dagster home by
    `DAGSTER_HOME`) and by the CLI's flags; paths are made absolute."""

    model_config = SettingsConfigDict(env_prefix="LVSOCIAL_", extra="ignore", frozen=True, env_ignore_empty=True)

    landing_dir: Path = DEFAULT_LANDING
    archive_dir: Path = DEFAULT_ARCHIVE  # the downloaded publications, kept as fetched (`lvsocial fetch`)
    warehouse: Path = DEFAULT_WAREHOUSE
    target: str = "duckdb"  # checked against the one list of targets where the engine is made (engines/targets.py)
    dagster_home: Path = Field(DEFAULT_DAGSTER_HOME,
                               validation_alias=AliasChoices("DAGSTER_HOME", "dagster_home"))
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_user: str = "lvsocial"
    pg_password: str = ""
    pg_database: str = "lvsocial"
    spark_master: str = "local[2]"
    spark_dir: Path | None = None  # default: spark/ beside the warehouse file
    # DuckDB's memory and threads, for dbt's build (profiles.yml) and lvsocial's own connections (duckdb_config);
    # computed from the machine unless given (`LVSOCIAL_DUCKDB_MEMORY_LIMIT=8GB`, `80%`); beyond it DuckDB spills.
    duckdb_memory_limit: str = Field(default_factory=machine_duckdb_memory_limit)
    duckdb_threads: int = Field(default_factory=usable_cores, ge=1)

    @field_validator("landing_dir", "archive_dir", "warehouse", "dagster_home", "spark_dir")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else Path(value).expanduser().resolve()

    @field_validator("target")
    @classmethod
    def _target_name(cls, value: str) -> str:
        return (value or "duckdb").strip().lower()

    @classmethod
    def from_flags(cls, **flags) -> Settings:
        """The environment's settings with the flags that were given (not None) over them."""
        return cls(**{k: v for k, v in flags.items() if v is not None})

    def replace(self, **changes) -> Settings:
        """These settings with some changed (validated like the others)."""
        return type(self)(**{**self.model_dump(), **changes})

    # -- derived folders --

    @property
    def spark_folder(self) -> Path:
        """Spark's SQL warehouse and Derby metastore."""
        return self.spark_dir or (self.warehouse.parent / "spark").resolve()

    @property
    def published_dir(self) -> Path:
        """The published copy for BI (orchestration/publishing.py)."""
        return published_dir(self.warehouse)

    @property
    def logs_dir(self) -> Path:
        """The runs' own log files (dbt's lines of each run)."""
        return self.dagster_home / "logs"

    @property
    def duckdb_temp_dir(self) -> Path:
        """Where DuckDB spills beyond its memory limit: beside the warehouse file (DuckDB's own default name)."""
        return self.warehouse.with_name(self.warehouse.name + ".tmp")

    def duckdb_config(self, temp: bool = True) -> dict[str, str]:
        """The `config` of lvsocial's DuckDB connections doing heavy work on the warehouse (the same memory limit,
        threads and spill folder dbt's build gets); `temp=False` for another database file (it spills beside
        itself). Every connection to one file in a process must use the same config (DuckDB refuses others)."""
        config = {"memory_limit": self.duckdb_memory_limit, "threads": str(self.duckdb_threads)}
        return {**config, "temp_directory": str(self.duckdb_temp_dir)} if temp else config

    def dbt_target_dir(self, target: str | None = None) -> Path:
        return dbt_target_dir(self.warehouse, target or self.target)

    @property
    def pg(self) -> dict:
        """The PostgreSQL connection, as psycopg2 takes it."""
        return {"host": self.pg_host, "port": self.pg_port, "user": self.pg_user, "password": self.pg_password,
                "dbname": self.pg_database}

    def ensure_dagster_home(self) -> Path:
        """The persistent Dagster instance folder, created with lvsocial's dagster.yaml when new."""
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        if not (self.dagster_home / "dagster.yaml").exists():
            (self.dagster_home / "dagster.yaml").write_text(DAGSTER_YAML, encoding="utf-8")
        return self.dagster_home

    # -- the edge --

    def child_env(self, base: dict | None = None) -> dict[str, str]:
        """The environment of a child process (dbt, the Spark worker, Dagster's servers and code locations): `base`
        (this process's environment) with every setting, so the child's `Settings()` and dbt's profile see these."""
        env = dict(os.environ if base is None else base)
        env.update({"LVSOCIAL_LANDING_DIR": str(self.landing_dir), "LVSOCIAL_ARCHIVE_DIR": str(self.archive_dir),
                    "LVSOCIAL_WAREHOUSE": str(self.warehouse), "LVSOCIAL_TARGET": self.target,
                    "DAGSTER_HOME": str(self.dagster_home), "LVSOCIAL_PG_HOST": self.pg_host,
                    "LVSOCIAL_PG_PORT": str(self.pg_port), "LVSOCIAL_PG_USER": self.pg_user,
                    "LVSOCIAL_PG_PASSWORD": self.pg_password, "LVSOCIAL_PG_DATABASE": self.pg_database,
                    "LVSOCIAL_SPARK_MASTER": self.spark_master,
                    "LVSOCIAL_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
                    "LVSOCIAL_DUCKDB_THREADS": str(self.duckdb_threads),
                    "LVSOCIAL_DUCKDB_TEMP_DIR": str(self.duckdb_temp_dir),
                    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
        if self.spark_dir is not None or self.target == "spark":  # else it follows the warehouse in the child too
            env["LVSOCIAL_SPARK_DIR"] = str(self.spark_folder)
        return env

    def export(self) -> None:
        """Put `child_env()` into this process's environment: for what reads it in this process on our behalf
        (dagster-dbt starts dbt with a copy of it; `DagsterInstance.get()` reads DAGSTER_HOME) and what it starts."""
        os.environ.update(self.child_env())


def published_dir(warehouse: Path | str) -> Path:
    return Path(warehouse).parent / "published"


def dbt_target_dir(warehouse: Path | str, target: str = "duckdb") -> Path:
    """dbt's target folder for builds on this warehouse, next to it. Its `partial_parse.msgpack` is only valid for
    the profile it was written with (the warehouse path is part of it), so each warehouse keeps its own: the next
    build on the same warehouse parses incrementally, and dbt docs read the manifest with the compiled SQL here.
    Builds on the postgres and spark targets keep theirs apart (`dbt_target_postgres`, …): the marker of the last
    build (which decides a full refresh) belongs to the engine that was built."""
    suffix = "" if target == "duckdb" else f"_{target}"
    return Path(warehouse).parent / f"dbt_target{suffix}"
