"""The settings object (orchestration/settings.py): flags over the environment, paths made absolute, the derived
folders, and the environment exported to child processes reading back as the same settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.resources import default_resources
from orchestration.settings import Settings


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("LVSOCIAL_LANDING_DIR", "LVSOCIAL_ARCHIVE_DIR", "LVSOCIAL_WAREHOUSE", "LVSOCIAL_TARGET",
                 "LVSOCIAL_SPARK_DIR", "LVSOCIAL_PG_PORT", "LVSOCIAL_DUCKDB_MEMORY_LIMIT", "DAGSTER_HOME"):
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
