"""`lvsocial fetch` as a user runs it, the Dagster job `fetch_publishers` and its schedule, and the provenance a
fetched file carries into `audit.load_log` — all against the local publisher server (tests/fetch_server.py)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import dagster as dg
import duckdb
import pytest

from ingestion import population
from ingestion.common import ensure_audit
from ingestion.fetch import archive, catalogue
from ingestion.fetch.http import HttpClient, retry_after
from orchestration import cli
from orchestration.resources import LandingFolder
from tests.conftest import REPO, SAMPLE_LANDING, restored_environ
from tests.fetch_server import PublisherServer, Reply
from tests.unit.test_fetch import POP, POPULATION, _register


@pytest.fixture
def server():
    srv = PublisherServer().start()
    yield srv
    srv.stop()


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with restored_environ(), redirect_stdout(out), redirect_stderr(out):
        code = cli.main(["fetch", *args])
    return code, out.getvalue()


def test_cli_fetches_the_others_and_exits_1_when_one_fails(server, tmp_path, monkeypatch):
    _register(server)
    server.pxweb_table(POP.table, Reply(body=POPULATION, content_type="application/json"))
    monkeypatch.setenv("LVSOCIAL_PORTAL_URL", server.portal)  # the environment names the publishers
    monkeypatch.setenv("LVSOCIAL_PXWEB_URL", server.pxweb)
    monkeypatch.setenv("LVSOCIAL_ARCHIVE_DIR", str(tmp_path / "archive"))
    code, out = _cli("--landing", str(tmp_path / "landing"), "--tries", "1")
    assert code == 1, out
    assert "Summary: 2 new, 0 unchanged, 2 failed" in out
    assert "registry: new" in out and "population: new" in out
    assert "esf_cfla_2014_2020: FAILED — the portal has no package" in out
    assert (tmp_path / "landing" / "reference" / "iedzivotaji.csv").exists()
    assert len((tmp_path / "archive" / archive.MANIFEST).read_text().splitlines()) == 4
    code, out = _cli("--landing", str(tmp_path / "landing"), "--source", "registry", "--source", "population")
    assert code == 0 and "Summary: 0 new, 2 unchanged, 0 failed" in out, out


def test_cli_flags_win_over_the_environment(server, tmp_path, monkeypatch):
    _register(server)
    monkeypatch.setenv("LVSOCIAL_PORTAL_URL", "http://127.0.0.1:9/nowhere")
    code, out = _cli("--source", "registry", "--portal", server.portal, "--landing", str(tmp_path / "l"),
                     "--archive", str(tmp_path / "a"))
    assert code == 0, out
    assert (tmp_path / "a" / "registry").is_dir()


@pytest.mark.parametrize("args, message", [
    ((), "is the shipped sample landing folder"),  # no --landing: the default is the sample
    (("--landing", str(SAMPLE_LANDING)), "is the shipped sample landing folder"),
    (("--landing", "/tmp/x", "--source", "budgets"), "unknown source(s) budgets; the catalogue has registry"),
])
def test_cli_refuses_before_fetching(server, tmp_path, monkeypatch, args, message):
    monkeypatch.delenv("LVSOCIAL_LANDING_DIR", raising=False)
    code, out = _cli(*args, "--portal", server.portal, "--archive", str(tmp_path / "a"))
    assert code == 2 and message in out, out
    assert server.requests == [] and not (tmp_path / "a").exists()


def test_retry_after_as_seconds_or_a_date():
    assert retry_after("12") == 12.0
    import datetime as dt

    now = dt.datetime(2026, 12, 4, tzinfo=dt.UTC).timestamp()
    assert retry_after("Fri, 04 Dec 2026 00:00:30 GMT", now=now) == 30.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_connection_refused_is_retried_then_failed(tmp_path):
    waits = []
    client = HttpClient(sleep=waits.append, tries=3, connect_timeout=1)
    from ingestion.fetch.http import FetchError

    with pytest.raises(FetchError, match=r"connection refused .* \(gave up after 3 tries\)") as info:
        client.get_json("http://127.0.0.1:9/api")
    assert waits == [1.0, 2.0] and info.value.transient


def test_the_dagster_job_records_each_outcome(server, tmp_path):
    from orchestration.defs.fetch import Publishers, fetch_job

    _register(server)
    server.pxweb_table(POP.table, Reply(503))
    resources = {"publishers": Publishers(portal=server.portal, pxweb=server.pxweb, archive=str(tmp_path / "a"),
                                          tries=1),
                 "landing": LandingFolder(path=str(tmp_path / "landing"))}
    result = fetch_job(dg.RetryPolicy(max_retries=1)).execute_in_process(resources=resources, raise_on_error=False)
    assert not result.success
    outputs = {e.step_key: e.event_specific_data.metadata for e in result.all_events
               if e.event_type_value == "STEP_OUTPUT"}
    failures = {e.step_key: e.event_specific_data.user_failure_data.metadata for e in result.all_events
                if e.event_type_value == "STEP_FAILURE"}
    retried = [e.step_key for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert outputs["fetch_registry"]["outcome"].value == "new"
    assert outputs["fetch_registry"]["sha256"].value == archive.latest_archived(tmp_path / "a", "registry").sha256
    assert failures["fetch_population"]["outcome"].value == "failed"
    assert failures["fetch_population"]["attempt"].value == 2  # a 503 may pass: tried again by the policy
    assert "HTTP 503" in failures["fetch_population"]["reason"].value
    assert failures["fetch_esf_cfla_2014_2020"]["attempt"].value == 1  # no package: not tried again
    assert retried == ["fetch_population"]
    assert [line.outcome for line in archive.entries(tmp_path / "a")].count("failed") == 4  # one per attempt


def test_the_schedule_is_stopped_and_no_other_job_fetches():
    """In a process of its own: importing the definitions binds the warehouse of in-process runs (tests/conftest)."""
    code = """
import dagster as dg
from orchestration.definitions import SOURCES, defs
schedule = defs.resolve_schedule_def("fetch_publishers_daily")
print(schedule.default_status == dg.DefaultScheduleStatus.STOPPED, schedule.job_name)
jobs = [s.job_name for s in SOURCES] + ["transform", "register_snapshot"]  # what `lvsocial run` and sensors run
print([n.name for j in jobs for n in defs.resolve_job_def(j).nodes if n.name.startswith("fetch_")])
print(sorted(n.name for n in defs.resolve_job_def("fetch_publishers").nodes))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    stopped, fetching_elsewhere, ops = out.stdout.strip().splitlines()[-3:]
    assert stopped == "True fetch_publishers"
    assert fetching_elsewhere == "[]"
    assert ops == str(sorted(f"fetch_{name}" for name in catalogue.load().sources))


def test_load_log_names_the_url_of_a_fetched_file_and_null_for_a_dropped_one(server, tmp_path, monkeypatch):
    monkeypatch.setenv("LVSOCIAL_ARCHIVE_DIR", str(tmp_path / "archive"))
    server.pxweb_table(POP.table, Reply(body=POPULATION, content_type="application/json"))
    code, out = _cli("--source", "population", "--portal", server.portal, "--pxweb", server.pxweb,
                     "--landing", str(tmp_path / "landing"))
    assert code == 0, out
    line = archive.entries(tmp_path / "archive")[-1]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    # A warehouse made before provenance: the columns are added, the old rows keep NULL.
    con.execute("create schema audit")
    con.execute("create table audit.load_log (source varchar, source_file varchar, sha256 varchar, file_size bigint, "
                "encoding varchar, rows_read integer, rows_loaded integer, rows_rejected integer, "
                "partition_key varchar, loaded_at timestamp)")
    con.execute("insert into audit.load_log (source, source_file) values ('registry', 'old.json')")
    ensure_audit(con)
    population.load(con, [tmp_path / "landing" / "reference" / "iedzivotaji.csv"])
    dropped = tmp_path / "landing" / "registry" / "pakalpojumusniedzejudati_20250101.json"
    dropped.parent.mkdir(parents=True)
    dropped.write_bytes(json.dumps({"data": [{"PakalpojumaSniedzejaRegistracijasNumurs": 1}]}).encode())
    rows = dict((s, (u, str(t) if t else None)) for s, u, t in con.execute(
        "select source_file, source_url, retrieved_at from audit.load_log").fetchall())
    assert rows["old.json"] == (None, None)
    assert rows["iedzivotaji.csv"] == (line.url, line.retrieved_at.replace("T", " ").rstrip("Z"))
    assert archive.provenance(dropped, hashlib.sha256(dropped.read_bytes()).hexdigest(),
                              tmp_path / "archive") == (None, None)
    # The same bytes by hand in another folder are the fetched file: named by its bytes (register, CFLA lists).
    assert archive.provenance(tmp_path / "elsewhere.json", line.sha256, tmp_path / "archive")[0] == line.url
    # A changed landing file is no longer the fetched one.
    landed = tmp_path / "landing" / "reference" / "iedzivotaji.csv"
    changed = landed.read_bytes() + b'"LV0002000 Daugavpils";1;2\r\n'
    assert archive.provenance(landed, hashlib.sha256(changed).hexdigest(), tmp_path / "archive") == (None, None)
