"""dbt unit tests of the intermediate models (`models/intermediate/<area>/_<area>__unit_tests.yml`) and of the
coverage reports and their chart tables (`models/reporting/coverage/`), run against a
throwaway DuckDB warehouse: the seeds loaded and every model built `--empty`, so the unit tests' inputs exist with
their column types. dbt writes its target and logs under tmp_path, never to the shared `dbt_project/target`.

The run must pass every unit test the project defines, and a copy of the project whose expectations are each one
row short must fail every one of ours: the unit tests really compare, and are not silently skipped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.sources import all_sources

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
UNIT_TESTS_YAML = DBT_PROJECT / "models" / "intermediate" / "shared" / "_shared__unit_tests.yml"
MUNICIPAL_UNIT_TESTS_YAML = DBT_PROJECT / "models" / "intermediate" / "municipal" / "_municipal__unit_tests.yml"
POPULATION_UNIT_TESTS_YAML = DBT_PROJECT / "models" / "intermediate" / "population" / "_population__unit_tests.yml"
REGISTRY_UNIT_TESTS_YAML = DBT_PROJECT / "models" / "intermediate" / "registry" / "_registry__unit_tests.yml"
SERVICE_NAMES_UNIT_TESTS_YAML = DBT_PROJECT / "models" / "intermediate" / "registry" / "_service_names__unit_tests.yml"
TERRITORY_UNIT_TESTS_YAML = DBT_PROJECT / "models" / "intermediate" / "territory" / "_territory__unit_tests.yml"
COVERAGE_UNIT_TESTS_YAML = DBT_PROJECT / "models" / "reporting" / "coverage" / "_coverage__unit_tests.yml"
COVERAGE_CHARTS_UNIT_TESTS_YAML = DBT_PROJECT / "models" / "reporting" / "coverage" / "_coverage_charts__unit_tests.yml"
PROGRAMMES_UNIT_TESTS_YAML = DBT_PROJECT / "models" / "reporting" / "programmes" / "_programmes__unit_tests.yml"
MUNICIPAL_REPORTS_UNIT_TESTS_YAML = DBT_PROJECT / "models" / "reporting" / "municipal" / "_municipal__unit_tests.yml"
DBT = str(Path(sys.executable).parent / "dbt")


@dataclass
class DbtEnv:
    root: Path
    warehouse: Path
    target: Path
    logs: Path

    def run(self, *args: str, project: Path = DBT_PROJECT, target: Path | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "LVSOCIAL_WAREHOUSE": str(self.warehouse)}
        cmd = [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(DBT_PROJECT),
               "--target-path", str(target or self.target), "--log-path", str(self.logs)]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, cwd=self.root)


def unit_tests_in(path: Path) -> list[dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests") or []


def project_unit_test_names() -> set[str]:
    """Names of the unit tests in every YAML file of the project (other files may define their own)."""
    names: set[str] = set()
    for path in sorted((DBT_PROJECT / "models").rglob("*.yml")):
        names |= {t["name"] for t in unit_tests_in(path)}
    return names


def unit_test_results(target: Path) -> dict[str, str]:
    """Unit test name -> status, from run_results.json."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}


def output_tail(proc: subprocess.CompletedProcess) -> str:
    return (proc.stdout + proc.stderr)[-6000:]


@pytest.fixture(scope="module")
def dbt_env(tmp_path_factory: pytest.TempPathFactory) -> DbtEnv:
    root = tmp_path_factory.mktemp("dbt_unit_tests")
    env = DbtEnv(root, root / "warehouse.duckdb", root / "target", root / "logs")
    with duckdb.connect(str(env.warehouse)) as con:
        for source in all_sources():  # the raw tables the staging models select from
            source.ensure_tables(con)
    for args in (["seed"], ["run", "--empty"]):
        proc = env.run(*args)
        assert proc.returncode == 0, f"dbt {' '.join(args)} failed:\n{output_tail(proc)}"
    return env


def test_yaml_defines_the_intermediate_unit_tests() -> None:
    tests = unit_tests_in(UNIT_TESTS_YAML) + unit_tests_in(REGISTRY_UNIT_TESTS_YAML)
    models = {t["model"] for t in tests}
    assert {"int_municipality_names_dated", "int_registry_records_conformed",
            "int_provider_versions_derived"} <= models
    assert len({t["name"] for t in tests}) == len(tests), "unit test names must be unique"


def test_unit_tests_pass(dbt_env: DbtEnv) -> None:
    proc = dbt_env.run("test", "--select", "test_type:unit")
    assert proc.returncode == 0, f"dbt unit tests failed:\n{output_tail(proc)}"

    results = unit_test_results(dbt_env.target)
    ours = {t["name"] for t in unit_tests_in(UNIT_TESTS_YAML)}
    assert ours <= set(results), f"unit tests not run: {sorted(ours - set(results))}"
    assert set(results) == project_unit_test_names()
    assert {name: status for name, status in results.items() if status != "pass"} == {}


def short_by_one_row(test: dict) -> dict:
    """The unit test with its last expected row removed."""
    expect = test["expect"]
    if expect.get("format", "dict") == "csv":
        lines = [line for line in expect["rows"].splitlines() if line.strip()]
        assert len(lines) > 1, f"{test['name']}: expect has no data rows to remove"
        expect["rows"] = "\n".join(lines[:-1]) + "\n"
    elif expect.get("format", "dict") == "dict":
        assert expect["rows"], f"{test['name']}: expect has no rows to remove"
        expect["rows"] = expect["rows"][:-1]
    else:
        pytest.fail(f"{test['name']}: cannot shorten an expectation in format {expect['format']}")
    return test


@pytest.mark.parametrize("yaml_path", [UNIT_TESTS_YAML, MUNICIPAL_UNIT_TESTS_YAML, POPULATION_UNIT_TESTS_YAML,
                                       REGISTRY_UNIT_TESTS_YAML, SERVICE_NAMES_UNIT_TESTS_YAML,
                                       TERRITORY_UNIT_TESTS_YAML, COVERAGE_UNIT_TESTS_YAML,
                                       COVERAGE_CHARTS_UNIT_TESTS_YAML, MUNICIPAL_REPORTS_UNIT_TESTS_YAML,
                                       PROGRAMMES_UNIT_TESTS_YAML],
                         ids=lambda p: p.stem)
def test_a_wrong_expectation_fails(dbt_env: DbtEnv, tmp_path: Path, yaml_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    copied = project / yaml_path.relative_to(DBT_PROJECT)
    document = yaml.safe_load(copied.read_text(encoding="utf-8"))
    document["unit_tests"] = [short_by_one_row(t) for t in document["unit_tests"]]
    copied.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    names = [t["name"] for t in document["unit_tests"]]

    target = tmp_path / "target"
    proc = dbt_env.run("test", "--select", *names, project=project, target=target)
    assert proc.returncode != 0, f"dbt passed unit tests with wrong expectations:\n{output_tail(proc)}"
    assert unit_test_results(target) == {name: "fail" for name in names}
