"""The register's snapshot models are incremental: a new snapshot is added to what is built, not rebuilt with the
whole history, and the result equals a full build. Two real pipeline runs on one warehouse: the sample without
its last snapshot, then with it; compared with the session's full build of the whole sample."""

from __future__ import annotations

import shutil

import pytest

from .conftest import SAMPLE_LANDING, run_pipeline

INCREMENTAL = ["intermediate.int_registry_records_conformed", "marts.fct_provider_services"]
COMPARED = INCREMENTAL + ["marts.dim_provider", "reporting.rpt_register_by_region_and_type"]


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    landing = root / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    last = sorted((landing / "registry").glob("pakalpojumusniedzejudati_*"))[-1]
    held = root / last.name
    last.rename(held)
    first = run_pipeline(root / "run", landing)
    assert first.returncode == 0, first.output[-3000:]
    held.rename(last)
    second = run_pipeline(root / "run", landing)
    assert second.returncode == 0, second.output[-3000:]
    return first, second, last.name


def _executed_sql(run, model: str) -> str:
    schema, name = model.split(".")
    folder = run.warehouse.parent / "dbt_target" / "run" / "lvsocial" / "models" / schema
    return (folder / f"{name}.sql").read_text(encoding="utf-8").lower()


def test_the_second_build_only_adds_the_new_snapshot(grown):
    first, second, _ = grown
    for model in INCREMENTAL:
        sql = _executed_sql(second, model)
        assert "delete from" in sql and "insert into" in sql, f"{model} was not built incrementally:\n{sql[:800]}"


def test_the_incremental_build_equals_a_full_build(grown, sample_run):
    _, second, last = grown
    full = sample_run.warehouse
    for model in COMPARED:
        rows = second.scalar(f"select count(*) from {model}")
        assert rows == sample_run.scalar(f"select count(*) from {model}"), model
        differing = second.scalar(
            f"attach '{full}' as full_build (read_only); "
            f"select count(*) from (select * from {model} except all select * from full_build.{model}) d")
        assert differing == 0, f"{model}: {differing} rows differ from the full build"
    new_rows = second.scalar("select count(*) from marts.fct_provider_services where source_file = ?", [last])
    assert new_rows > 0  # the added snapshot is there


def test_a_changed_project_rebuilds_everything_once(grown):
    from orchestration.defs.dbt import FINGERPRINT_FILE, project_fingerprint

    _, second, _ = grown
    stored = (second.warehouse.parent / "dbt_target" / FINGERPRINT_FILE).read_text(encoding="utf-8")
    assert stored == project_fingerprint()  # the next build on this warehouse stays incremental
