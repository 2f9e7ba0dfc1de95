"""Shared fixtures: one real pipeline run on the shipped sample (session-scoped) for every test that reads marts."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_LANDING = REPO / "data" / "sample" / "landing"
LVSOCIAL = str(Path(sys.executable).parent / "lvsocial")


@dataclass
class PipelineRun:
    root: Path
    landing: Path
    warehouse: Path
    dagster_home: Path
    returncode: int
    output: str

    def env(self) -> dict:
        return {**os.environ, "DAGSTER_HOME": str(self.dagster_home), "LVSOCIAL_WAREHOUSE": str(self.warehouse),
                "LVSOCIAL_LANDING_DIR": str(self.landing)}

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params=None):
        return self.query(sql, params)[0][0]


def run_pipeline(root: Path, landing: Path, *extra: str, timeout: int = 900) -> PipelineRun:
    """Run `lvsocial run` as a user would, in its own Dagster home and warehouse under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    run = PipelineRun(root, landing, root / "warehouse" / "lvsocial.duckdb", root / "dagster_home", -1, "")
    proc = subprocess.run([LVSOCIAL, "run", "--landing", str(landing), "--warehouse", str(run.warehouse), *extra],
                          env={**run.env(), "PYTHONWARNINGS": "ignore"}, capture_output=True, text=True,
                          timeout=timeout, cwd=root)
    run.returncode, run.output = proc.returncode, proc.stdout + proc.stderr
    return run


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> PipelineRun:
    run = run_pipeline(tmp_path_factory.mktemp("sample_run"), SAMPLE_LANDING)
    if run.returncode != 0:
        pytest.fail(f"lvsocial run on the sample failed ({run.returncode}):\n{run.output[-5000:]}")
    return run
