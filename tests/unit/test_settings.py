"""The settings object (orchestration/settings.py): flags over the environment, paths made absolute, the derived
folders, and the environment exported to child processes reading back as the same settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.config import DBT_PROJECT_DIR
from orchestration.resources import default_resources
from orchestration.settings import (
    DUCKDB_MEMORY_CAP_MIB,
    DUCKDB_MEMORY_FLOOR_MIB,
    Settings,
    available_memory,
    default_duckdb_memory_limit,
    machine_duckdb_memory_limit,
    usable_cores,
)

GIB = 1024 ** 3


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("LVSOCIAL_LANDING_DIR", "LVSOCIAL_ARCHIVE_DIR", "LVSOCIAL_WAREHOUSE", "LVSOCIAL_TARGET",
                 "LVSOCIAL_SPARK_DIR", "LVSOCIAL_PG_PORT", "LVSOCIAL_DUCKDB_MEMORY_LIMIT", "LVSOCIAL_DUCKDB_THREADS",
                 "DAGSTER_HOME"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_flags_win_over_the_environment_and_paths_are_absolute(tmp_path: Path, clean_env) -> None:
    clean_env.setenv("LVSOCIAL_WAREHOUSE", str(tmp_path / "env" / "w.duckdb"))
    clean_env.setenv("LVSOCIAL_TARGET", "Postgres")
    clean_env.setenv("LVSOCIAL_PG_PORT", "")  # empty is unset, as before
    clean_env.chdir(tmp_path)
    settings = Settings.from_flags(landing_dir="landing", warehouse=None, target=None)
    assert settings.landing_dir == tmp_path / "landing"
    assert settings.warehouse == tmp_path / "env" / "w.duckdb"
    assert settings.target == "postgres"
    assert settings.pg["port"] == 5432
    flagged = Settings.from_flags(warehouse=tmp_path / "flag.duckdb", target="duckdb")
    assert (flagged.warehouse, flagged.target) == (tmp_path / "flag.duckdb", "duckdb")


def test_derived_folders_follow_the_warehouse(tmp_path: Path, clean_env) -> None:
    settings = Settings(warehouse=tmp_path / "wh" / "lvsocial.duckdb", dagster_home=tmp_path / "home")
    assert settings.spark_folder == tmp_path / "wh" / "spark"
    assert settings.published_dir == tmp_path / "wh" / "published"
    assert settings.dbt_target_dir() == tmp_path / "wh" / "dbt_target"
    assert settings.dbt_target_dir("spark") == tmp_path / "wh" / "dbt_target_spark"
    assert settings.logs_dir == tmp_path / "home" / "logs"
    assert (settings.ensure_dagster_home() / "dagster.yaml").read_text(encoding="utf-8").startswith("# Written")
    assert settings.replace(spark_dir=tmp_path / "elsewhere").spark_folder == tmp_path / "elsewhere"


def test_the_child_environment_reads_back_as_the_same_settings(tmp_path: Path, clean_env) -> None:
    settings = Settings(landing_dir=tmp_path / "landing", warehouse=tmp_path / "w.duckdb", target="spark",
                        dagster_home=tmp_path / "home", archive_dir=tmp_path / "archive", pg_port=6543,
                        duckdb_memory_limit="8GB")
    env = settings.child_env(base={"PATH": "/bin"})
    assert env["PATH"] == "/bin" and env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    assert env["LVSOCIAL_SPARK_DIR"] == str(tmp_path / "spark")  # dbt's profile has no derivation of its own
    for name, value in env.items():
        clean_env.setenv(name, value)
    assert Settings() == settings.replace(spark_dir=tmp_path / "spark")


def test_resources_take_their_paths_from_the_settings(tmp_path: Path, clean_env) -> None:
    settings = Settings(landing_dir=tmp_path / "landing", warehouse=tmp_path / "w.duckdb")
    resources = default_resources(settings)
    assert resources["warehouse"].path == str(tmp_path / "w.duckdb")
    assert resources["landing"].path == str(tmp_path / "landing")
    assert resources["warehouse"].settings().warehouse == tmp_path / "w.duckdb"


@pytest.mark.parametrize(("available", "limit"), [
    (None, "1536MiB"),  # nothing readable: the cap
    (1 * GIB, "512MiB"),  # a quarter would be 256 MiB: the floor
    (4 * GIB, "1024MiB"),  # the share
    (int(4.9 * GIB), "1024MiB"),  # 1,254 MiB, rounded down to a whole 256 MiB step (dbt's profile stays the same)
    (6 * GIB, "1536MiB"),
    (22 * GIB, "1536MiB"),  # this machine: the cap
])
def test_the_default_memory_limit_is_a_share_of_the_free_memory_between_floor_and_cap(available, limit) -> None:
    assert default_duckdb_memory_limit(available) == limit


def test_free_memory_is_the_kernels_available_lowered_to_the_cgroups_limit(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24683792 kB\nMemFree:  100 kB\nMemAvailable:    4194304 kB\n")
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    assert available_memory(meminfo, cgroup) == 4 * GIB  # no cgroup files: the kernel's figure
    (cgroup / "memory.max").write_text("max\n")
    (cgroup / "memory.current").write_text(f"{GIB}\n")
    assert available_memory(meminfo, cgroup) == 4 * GIB  # a cgroup without a limit
    (cgroup / "memory.max").write_text(f"{3 * GIB}\n")
    assert available_memory(meminfo, cgroup) == 2 * GIB  # the container's 3 GiB, 1 GiB of it used
    assert available_memory(tmp_path / "absent", cgroup) == 2 * GIB
    assert available_memory(tmp_path / "absent", tmp_path / "absent") is None


def test_duckdb_settings_come_from_the_machine_unless_given(tmp_path: Path, clean_env) -> None:
    settings = Settings(warehouse=tmp_path / "w.duckdb")
    assert settings.duckdb_memory_limit == machine_duckdb_memory_limit()  # computed once per process
    assert DUCKDB_MEMORY_FLOOR_MIB <= int(settings.duckdb_memory_limit.removesuffix("MiB")) <= DUCKDB_MEMORY_CAP_MIB
    assert settings.duckdb_threads == usable_cores()
    assert settings.duckdb_temp_dir == tmp_path / "w.duckdb.tmp"  # DuckDB's own place for the file's spills
    clean_env.setenv("LVSOCIAL_DUCKDB_MEMORY_LIMIT", "8GB")  # an explicit value wins
    clean_env.setenv("LVSOCIAL_DUCKDB_THREADS", "1")
    given = Settings(warehouse=tmp_path / "w.duckdb")
    assert (given.duckdb_memory_limit, given.duckdb_threads) == ("8GB", 1)
    assert given.duckdb_config() == {"memory_limit": "8GB", "threads": "1",
                                     "temp_directory": str(tmp_path / "w.duckdb.tmp")}
    assert given.duckdb_config(temp=False) == {"memory_limit": "8GB", "threads": "1"}
    clean_env.setenv("LVSOCIAL_DUCKDB_THREADS", "0")
    with pytest.raises(ValueError, match="duckdb_threads"):
        Settings()


def test_lvsocials_own_connections_use_the_settings(tmp_path: Path, clean_env) -> None:
    clean_env.setenv("LVSOCIAL_DUCKDB_MEMORY_LIMIT", "700MiB")
    clean_env.setenv("LVSOCIAL_DUCKDB_THREADS", "1")
    warehouse = default_resources(Settings(warehouse=tmp_path / "w.duckdb"))["warehouse"]
    read = "select current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
    expected = [("700.0 MiB", 1, str(tmp_path / "w.duckdb.tmp"))]
    with warehouse.connect() as con:
        assert con.execute(read).fetchall() == expected
    assert warehouse.rows(read) == expected  # the checks' read-only connections (orchestration/engines/)


def test_dbts_profile_renders_the_settings(tmp_path: Path, clean_env) -> None:
    """A real dbt on a new warehouse, with the environment lvsocial gives it: DuckDB runs with the settings."""
    settings = Settings(warehouse=tmp_path / "wh" / "lvsocial.duckdb", duckdb_memory_limit="700MiB", duckdb_threads=1)
    sql = ("select current_setting('memory_limit') as memory, current_setting('threads') as threads, "
           "current_setting('temp_directory') as spill, current_setting('preserve_insertion_order') as ordered")
    (tmp_path / "wh").mkdir()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "show", "--inline", sql, "--output", "json", "--quiet",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=settings.child_env(), capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    shown = json.loads(proc.stdout[proc.stdout.index("{"):])["show"]
    assert shown == [{"memory": "700.0 MiB", "threads": 1, "spill": str(tmp_path / "wh" / "lvsocial.duckdb.tmp"),
                      "ordered": False}]
