"""The register's snapshot models are incremental: a new snapshot is added to what is built, not rebuilt with the
whole history, and the result equals a full build. Two real pipeline runs on one warehouse (in this process): the
sample without its last snapshot, then with it; compared with the session's full build of the whole sample."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import SAMPLE_LANDING, copy_run, in_process_run, run_in_process

INCREMENTAL = ["intermediate.int_registry_records_conformed", "marts.fct_provider_services"]
COMPARED = INCREMENTAL + ["marts.dim_provider", "reporting.rpt_register_by_region_and_type"]


@pytest.fixture(scope="module")
def grown(tmp_path_factory, in_process_root):
    root = tmp_path_factory.mktemp("incremental")
    work = in_process_run(in_process_root)
    shutil.copytree(SAMPLE_LANDING, work.landing, dirs_exist_ok=True)
    last = sorted((work.landing / "registry").glob("pakalpojumusniedzejudati_*"))[-1]
    held = root / last.name
    last.rename(held)
    first = run_in_process(work)
    assert first.returncode == 0, first.output[-3000:]
    held.rename(last)
    second = run_in_process(work, "--column-lineage")
    assert second.returncode == 0, second.output[-3000:]
    return first, copy_run(second, root / "run"), last.name  # aside: later tests reuse the working folder


def _executed_sql(run, model: str) -> str:
    schema, name = model.split(".")
    folder = run.warehouse.parent / "dbt_target" / "run" / "lvsocial" / "models" / schema
    return next(folder.rglob(f"{name}.sql")).read_text(encoding="utf-8").lower()  # under the model's area folder


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
    from orchestration.dbt_build import FINGERPRINT_FILE, project_fingerprint

    _, second, _ = grown
    stored = (second.warehouse.parent / "dbt_target" / FINGERPRINT_FILE).read_text(encoding="utf-8")
    assert stored == project_fingerprint()  # the next build on this warehouse stays incremental


def test_the_sensor_run_for_one_new_snapshot_builds_and_checks_only_that_snapshot(grown, tmp_path):
    """The real register sensor, ticked against the instance, requests one run for a new file; that run adds the
    snapshot incrementally and its checks validate the new snapshot, not the whole history."""
    import json
    import subprocess
    import sys

    import dagster as dg

    _, second, last = grown
    new_file = tmp_path / "pakalpojumusniedzejudati_20260202.json"
    new_file.write_bytes((second.landing / "registry" / last).read_bytes())
    result_path = tmp_path / "result.json"
    proc = subprocess.run([sys.executable, "-m", "bench.snapshot", str(new_file), str(result_path)],
                          env={**second.env(), "PYTHONWARNINGS": "ignore"}, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["ok"] and result["partition"] == "2026-02-02" and not result["failed_checks"], result
    assert result["first_tick_run_requests"] == 0  # switched on after a full run: no flood of runs for the history
    assert "delete from" in _executed_sql(second, "marts.fct_provider_services")
    assert second.scalar("select count(*) from marts.fct_provider_services where snapshot_date = '2026-02-02'") \
        == second.scalar("select count(*) from marts.fct_provider_services where snapshot_date = '2026-01-02'") > 0

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(second.dagster_home))
        with dg.DagsterInstance.get() as instance:
            [run] = instance.get_runs(dg.RunsFilter(tags={"dagster/partition": "2026-02-02"}), limit=1)
            scopes = {}
            for record in instance.get_records_for_run(run.run_id).records:
                event = record.event_log_entry.dagster_event
                if event and event.event_type_value == "ASSET_CHECK_EVALUATION":
                    evaluation = event.event_specific_data
                    if "snapshots_validated" in evaluation.metadata:
                        scopes[evaluation.check_name] = evaluation.metadata["snapshots_validated"].value
    assert scopes == {"gx_raw_registry": "2026-02-02 … 2026-02-02",
                      "gx_fct_provider_services": "2026-02-02 and later"}, scopes


def test_column_lineage_when_asked_for(grown, monkeypatch):
    """`lvsocial run --column-lineage` records which upstream columns feed each mart column."""
    import dagster as dg

    _, second, _ = grown
    monkeypatch.setenv("DAGSTER_HOME", str(second.dagster_home))
    with dg.DagsterInstance.get() as instance:
        transform = instance.get_runs(dg.RunsFilter(job_name="transform"), limit=1)[0]  # the second run's
        [metadata] = [r.event_log_entry.dagster_event.event_specific_data.materialization.metadata
                      for r in instance.get_records_for_run(transform.run_id).records
                      if r.event_log_entry.dagster_event
                      and r.event_log_entry.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
                      and r.event_log_entry.dagster_event.asset_key == dg.AssetKey(["marts", "fct_provider_services"])]
        lineage = metadata["dagster/column_lineage"].value.deps_by_column
    assert any(dep.asset_key == dg.AssetKey(["intermediate", "int_registry_records_conformed"])
               for dep in lineage["capacity"])
