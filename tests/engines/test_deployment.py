"""The settings of a shared deployment (deploy/), with real processes: Dagster's own storage on PostgreSQL
(deploy/dagster.yaml in DAGSTER_HOME, a fresh database on conftest's PostgreSQL server) filled by `lvsocial run`;
`lvsocial daemon` launching the run the register sensor requests for a snapshot dropped into the landing folder (the
sensor switched on with `dagster sensor start -w deploy/workspace.yaml`); `lvsocial ui --no-daemon` queueing a run
for the daemon; and `lvsocial ui --read-only` showing those runs from PostgreSQL while refusing to launch one. A
small landing (one register snapshot, then a second) keeps it to a few minutes: the dbt build of every model is
most of each run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import LVSOCIAL, REPO, SAMPLE_LANDING, PipelineRun, run_pipeline, serve_ui

DEPLOY = REPO / "deploy"
DAGSTER = str(Path(LVSOCIAL).parent / "dagster")
FIRST = "pakalpojumusniedzejudati_20170102.json.gz"
NEW = "pakalpojumusniedzejudati_20180102.json.gz"
NEW_PARTITION = "2018-01-02"


@dataclass
class Deployment(PipelineRun):
    """A pipeline run whose Dagster home holds deploy/dagster.yaml, with the DAGSTER_PG_* it reads."""

    pg_env: dict = field(default_factory=dict)
    pg_settings: dict = field(default_factory=dict)

    def env(self) -> dict:
        return {**super().env(), **self.pg_env, "PYTHONWARNINGS": "ignore"}

    def pg(self, sql: str, params=None) -> list[tuple]:
        import psycopg2

        con = psycopg2.connect(**self.pg_settings)
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, postgres_server) -> Deployment:
    root = tmp_path_factory.mktemp("deployment")
    landing = root / "landing"
    (landing / "registry").mkdir(parents=True)
    shutil.copy(SAMPLE_LANDING / "registry" / FIRST, landing / "registry" / FIRST)
    home = root / "run" / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    dbname = postgres_server.database("dagster")
    pg_env = {"DAGSTER_PG_HOST": postgres_server.host, "DAGSTER_PG_PORT": str(postgres_server.port),
              "DAGSTER_PG_USERNAME": postgres_server.user, "DAGSTER_PG_PASSWORD": postgres_server.password,
              "DAGSTER_PG_DB": dbname}
    with pytest.MonkeyPatch.context() as mp:  # run_pipeline passes this process's environment on
        for key, value in pg_env.items():
            mp.setenv(key, value)
        run = run_pipeline(root / "run", landing)
    assert run.dagster_home == home
    if run.returncode != 0:
        pytest.fail(f"lvsocial run on the PostgreSQL instance failed ({run.returncode}):\n{run.output[-5000:]}")
    return Deployment(**vars(run), pg_env=pg_env, pg_settings=postgres_server.settings(dbname))


def test_runs_and_materialisations_are_stored_in_postgresql(deployment):
    # lvsocial writes its SQLite default only where there is no dagster.yaml: the deployment's stays as it was
    assert (deployment.dagster_home / "dagster.yaml").read_text() == (DEPLOY / "dagster.yaml").read_text()

    runs = deployment.pg("select run_id, pipeline_name, status from runs")
    assert {(job, status) for _, job, status in runs} == {("ingest_registry", "SUCCESS"), ("transform", "SUCCESS")}
    for run_id, _, _ in runs:
        assert f"run {run_id[:8]}" in deployment.output
    materialised = {tuple(json.loads(key)) for (key,) in deployment.pg(
        "select distinct asset_key from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION' "
        "and run_id = any(%s)", ([r[0] for r in runs],))}
    assert {("raw", "registry_provider_services"), ("marts", "fct_provider_services"),
            ("published", "marts")} <= materialised
    checks = deployment.pg("select count(*) from event_logs where dagster_event_type = 'ASSET_CHECK_EVALUATION'")
    assert checks[0][0] > 50
    assert deployment.pg("select partition from dynamic_partitions where partitions_def_name = 'register_snapshots'"
                         ) == [("2017-01-02",)]
    # the `warehouse` pool, limited by `pools: default_limit: 1`, is kept in PostgreSQL too
    assert deployment.pg('select concurrency_key, "limit" from concurrency_limits') == [("warehouse", 1)]

    # nothing of the instance in SQLite: no database file anywhere under DAGSTER_HOME (only logs, compute logs)
    sqlite = [p for p in deployment.dagster_home.rglob("*") if p.is_file() and p.read_bytes()[:16] ==
              b"SQLite format 3\x00"]
    assert sqlite == []
    assert not (deployment.dagster_home / "history").exists()
    assert not (deployment.dagster_home / "schedules").exists()


def test_the_daemon_runs_the_sensor_on_a_new_snapshot(deployment):
    env = deployment.env()
    log_path = deployment.root / "daemon.log"
    with open(log_path, "w") as log:
        daemon = subprocess.Popen([LVSOCIAL, "daemon"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        shutil.copy(SAMPLE_LANDING / "registry" / NEW, deployment.landing / "registry" / NEW)
        # On its first tick the sensor requests the snapshots without a partition: the file just dropped.
        started = subprocess.run([DAGSTER, "sensor", "start", "register_snapshot_sensor", "-w",
                                  str(DEPLOY / "workspace.yaml")], env=env, cwd=deployment.root,
                                 capture_output=True, text=True, timeout=180)
        assert started.returncode == 0, started.stdout + started.stderr
        assert "Started sensor register_snapshot_sensor" in started.stdout + started.stderr

        deadline = time.monotonic() + 300
        status = None
        while time.monotonic() < deadline:
            assert daemon.poll() is None, f"the daemon exited:\n{log_path.read_text()[-3000:]}"
            rows = deployment.pg(
                "select r.run_id, r.status from runs r join run_tags t on t.run_id = r.run_id "
                "where r.pipeline_name = 'register_snapshot' and t.key = 'dagster/partition' and t.value = %s",
                (NEW_PARTITION,))
            if rows:
                assert len(rows) == 1
                run_id, status = rows[0]
                if status in ("SUCCESS", "FAILURE", "CANCELED"):
                    break
            time.sleep(3)
        assert status == "SUCCESS", f"sensor run: {status}\n{log_path.read_text()[-4000:]}"
        tags = dict(deployment.pg("select key, value from run_tags where run_id = %s", (run_id,)))
        assert tags["dagster/sensor_name"] == "register_snapshot_sensor"
        # the daemons report their heartbeats to the same PostgreSQL database
        beats = {d for (d,) in deployment.pg("select daemon_type from daemon_heartbeats")}
        assert {"SENSOR", "QUEUED_RUN_COORDINATOR", "MONITORING", "SCHEDULER"} <= beats
    finally:
        os.killpg(daemon.pid, signal.SIGINT)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
    assert deployment.scalar("select count(*) from raw.registry_provider_services where _source_file like ?",
                             [f"%{NEW}"]) > 0


def _graphql(base: str, query: str) -> dict:
    req = urllib.request.Request(base + "/graphql", data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        body = json.load(resp)
    assert "errors" not in body, body
    return body["data"]


def _loaded(base: str) -> dict:
    """Runs, permissions and the repository, once the code location has loaded (it may still be loading just after
    the server answers)."""
    deadline = time.monotonic() + 120
    while True:
        data = _graphql(base, "{ repositoriesOrError { ... on RepositoryConnection { nodes { name "
                              "location { name } } } } permissions { permission value } "
                              "runsOrError { ... on Runs { results { runId jobName status } } } }")
        repos = data["repositoriesOrError"].get("nodes") or []
        if repos or time.monotonic() > deadline:
            assert repos, data
            data["selector"] = (f'repositoryLocationName: "{repos[0]["location"]["name"]}", '
                                f'repositoryName: "{repos[0]["name"]}"')
            return data
        time.sleep(2)


def test_engineers_ui_queues_a_run_for_the_daemon(deployment):
    """`lvsocial ui --no-daemon`: the web server alone; a run launched there waits in PostgreSQL's queue for the
    deployment's daemon (stopped now, so it stays queued)."""
    with serve_ui(deployment, "--no-daemon") as base:
        data = _loaded(base)
        assert {p["permission"]: p["value"] for p in data["permissions"]}["launch_pipeline_execution"] is True
        launched = _graphql(base, f'mutation {{ launchRun(executionParams: {{ selector: {{ {data["selector"]}, '
                                  f'jobName: "transform" }} }}) {{ __typename ... on LaunchRunSuccess '
                                  f'{{ run {{ runId }} }} ... on PythonError {{ message }} }} }}')["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]
        time.sleep(5)
        assert deployment.pg("select pipeline_name, status from runs where run_id = %s", (run_id,)) == [
            ("transform", "QUEUED")]


def test_read_only_ui_shows_the_runs_in_postgresql_and_launches_none(deployment):
    stored = {run_id: (job, status) for run_id, job, status in deployment.pg(
        "select run_id, pipeline_name, status from runs")}
    with serve_ui(deployment, "--read-only") as base:
        data = _loaded(base)
        selector = data["selector"]
        shown = {r["runId"]: (r["jobName"], r["status"]) for r in data["runsOrError"]["results"]}
        assert shown == stored
        permissions = {p["permission"]: p["value"] for p in data["permissions"]}
        assert permissions["launch_pipeline_execution"] is False
        assert permissions["edit_sensor"] is False

        launched = _graphql(base, f'mutation {{ launchRun(executionParams: {{ selector: {{ {selector}, '
                                  f'jobName: "transform" }} }}) {{ __typename ... on UnauthorizedError '
                                  f'{{ message }} }} }}')["launchRun"]
        assert launched["__typename"] == "UnauthorizedError", launched
        sensor = _graphql(base, f'mutation {{ startSensor(sensorSelector: {{ {selector}, '
                                f'sensorName: "population_file_sensor" }}) {{ __typename }} }}')["startSensor"]
        assert sensor["__typename"] == "UnauthorizedError", sensor
    assert {r[0] for r in deployment.pg("select run_id from runs")} == set(stored)
    # `lvsocial run`, `daemon` and `ui` all went through this DAGSTER_HOME: its dagster.yaml is still the deployment's
    assert (deployment.dagster_home / "dagster.yaml").read_text() == (DEPLOY / "dagster.yaml").read_text()
