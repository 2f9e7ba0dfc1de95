"""Crash-safe publishing and idempotency, with real pipeline runs on a small landing folder: re-running gives the
same marts; a blocking check failure or a killed run leaves the last good published copy untouched; the published
copy opens read-only while the pipeline writes the warehouse."""

import json
import os
import shutil
import signal
import subprocess
import time

import duckdb
import pytest

from orchestration.publishing import table_fingerprints

from .conftest import LVSOCIAL, SAMPLE_LANDING, run_pipeline

SNAPSHOTS = ["sps_registrs_2012-01-02.csv", "pakalpojumusniedzejudati_20230102.json",
             "pakalpojumusniedzejudati_20260102.json"]


def _published(run) -> dict:
    return json.loads((run.warehouse.parent / "published" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("fault")
    landing = root / "landing"
    (landing / "registry").mkdir(parents=True)
    for name in SNAPSHOTS:
        shutil.copy(SAMPLE_LANDING / "registry" / name, landing / "registry" / name)
    first = run_pipeline(root / "run", landing)
    assert first.returncode == 0, first.output[-3000:]
    return first


def test_rerun_gives_the_same_marts_and_loads_files_once(small):
    before = _published(small)
    again = run_pipeline(small.root, small.landing)
    assert again.returncode == 0, again.output[-3000:]
    after = _published(again)
    assert after["tables"] == before["tables"]  # same content hash for every mart
    assert after["published_at"] != before["published_at"]
    loads = again.query("select partition_key, count(*) from audit.load_log group by 1")
    assert sorted(loads) == [("2012-01-02", 1), ("2023-01-02", 1), ("2026-01-02", 1)]


def test_same_file_dropped_twice_loads_once(small, tmp_path):
    import gzip

    twin = small.landing / "registry" / "pakalpojumusniedzejudati_20230102.json.gz"
    twin.write_bytes(gzip.compress((small.landing / "registry" / SNAPSHOTS[1]).read_bytes(), mtime=0))
    try:
        run = run_pipeline(small.root, small.landing)
        assert run.returncode == 0, run.output[-3000:]
        files = run.query("select source_file from audit.load_log where partition_key = '2023-01-02'")
        assert len(files) == 1
        assert _published(run)["tables"] == _published(small)["tables"]
    finally:
        twin.unlink()


def test_blocking_check_failure_keeps_the_last_good_copy(small):
    good = _published(small)
    with duckdb.connect(str(small.warehouse), read_only=True) as con:
        marts_before = table_fingerprints(con)
    bad = small.landing / "registry" / "pakalpojumusniedzejudati_20240601.json"
    record = json.loads((small.landing / "registry" / SNAPSHOTS[1]).read_text())["data"][0]
    record["Statuss"] = "Apturēta uz laiku"  # a status wording nobody has mapped: the raw GX suite fails
    bad.write_text(json.dumps({"data": [record]}, ensure_ascii=False), encoding="utf-8")
    try:
        run = run_pipeline(small.root, small.landing)
        assert run.returncode == 1
        assert "check FAILED: raw/registry_provider_services:gx_raw_registry" in run.output
        assert "the marts are left as they were" in run.output
        assert _published(run) == good
        with duckdb.connect(str(small.warehouse), read_only=True) as con:
            assert table_fingerprints(con) == marts_before
    finally:
        bad.unlink()
        with duckdb.connect(str(small.warehouse)) as con:  # take the bad snapshot out of raw again
            con.execute("delete from raw.registry_provider_services where _snapshot_date = '2024-06-01'")
            con.execute("delete from audit.load_log where partition_key = '2024-06-01'")


def _start(small, *extra):
    return subprocess.Popen([LVSOCIAL, "run", *extra, "--landing", str(small.landing), "--warehouse",
                             str(small.warehouse)], env=small.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _kill_when(proc, small, point: str) -> str:
    """Read the run's progress until it reaches `point`, then SIGKILL its whole process group."""
    published = small.warehouse.parent / "published"
    seen = []
    deadline = time.monotonic() + 300
    for line in proc.stdout:
        seen.append(line)
        if point == "ingestion" and "ingesting registry" in line:
            break
        if point == "dbt" and "materialised marts/dim_service" in line:
            break
        if point == "publish" and "materialised reporting/" in line:
            # wait until the new copy is being written aside, then kill in the middle of publishing
            while time.monotonic() < deadline and not list(published.glob(".lvsocial.duckdb.*.tmp")):
                time.sleep(0.01)
            break
        assert time.monotonic() < deadline, "".join(seen)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return "".join(seen)


@pytest.mark.parametrize("point", ["ingestion", "dbt", "publish"])
def test_killed_run_leaves_the_last_good_copy_and_the_next_run_recovers(small, point):
    good = _published(small)
    published_db = small.warehouse.parent / "published" / "lvsocial.duckdb"
    proc = _start(small, "--reload")
    if point == "dbt":
        # the pipeline holds the warehouse; BI reads the published copy meanwhile
        for line in proc.stdout:
            if "ingesting registry" in line:
                break
        with duckdb.connect(str(published_db), read_only=True) as con:
            assert con.execute("select count(*) from marts.fct_provider_services").fetchone()[0] > 0
    _kill_when(proc, small, point)
    assert _published(small) == good
    with duckdb.connect(str(published_db), read_only=True) as con:
        assert table_fingerprints(con) == good["tables"]
    recovered = run_pipeline(small.root, small.landing)
    assert recovered.returncode == 0, recovered.output[-3000:]
    assert _published(recovered)["tables"] == good["tables"]  # equals an uninterrupted run


def test_bi_reader_sees_only_complete_versions_during_a_full_run(small):
    import threading

    expected = _published(small)["tables"]
    published_db = small.warehouse.parent / "published" / "lvsocial.duckdb"
    stop, reads, errors, wrong = threading.Event(), [0], [], []

    def reader():
        while not stop.is_set():
            try:
                with duckdb.connect(str(published_db), read_only=True) as con:
                    seen = table_fingerprints(con)
                if seen != expected:
                    wrong.append(sorted(set(seen) ^ set(expected)) or "content differs")
                reads[0] += 1
            except Exception as exc:  # any error a BI tool would see
                errors.append(repr(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        run = run_pipeline(small.root, small.landing, "--reload")
    finally:
        stop.set()
        thread.join()
    assert run.returncode == 0, run.output[-3000:]
    assert reads[0] > 5
    assert errors == [] and wrong == []
