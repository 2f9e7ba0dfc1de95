"""Shared fixtures: one real pipeline run on the shipped sample (session-scoped) for every test that reads marts, and
one `lvsocial ui` server on it for the tests that look at the UI (GraphQL and a real browser). Tests are marked by
their folder: unit, pipeline (the shared run), runs (runs of their own), engines (PostgreSQL, Spark, UI)."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager, redirect_stderr, redirect_stdout
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


def start_pipeline(root: Path, landing: Path, *extra: str, output=subprocess.PIPE) -> tuple[PipelineRun, subprocess.Popen]:
    """Start `lvsocial run` as a user would, in its own Dagster home and warehouse under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    run = PipelineRun(root, landing, root / "warehouse" / "lvsocial.duckdb", root / "dagster_home", -1, "")
    proc = subprocess.Popen([LVSOCIAL, "run", "--landing", str(landing), "--warehouse", str(run.warehouse), *extra],
                            env={**run.env(), "PYTHONWARNINGS": "ignore"}, stdout=output,
                            stderr=subprocess.STDOUT, text=True, cwd=root)
    return run, proc


def run_pipeline(root: Path, landing: Path, *extra: str, timeout: int = 900) -> PipelineRun:
    """Run `lvsocial run` as a user would, in its own Dagster home and warehouse under `root`."""
    run, proc = start_pipeline(root, landing, *extra)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise
    run.returncode, run.output = proc.returncode, out
    return run


@contextmanager
def restored_environ():
    """`lvsocial run` exports the landing, warehouse, target and Dagster home (orchestration.cli), and dbt run in the
    process moves into its project folder: undo both after an in-process run, so that later tests see the environment
    and working folder they started with (`python -m bench...` finds `bench` only from the repository)."""
    saved, cwd = dict(os.environ), os.getcwd()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        os.chdir(cwd)


def run_in_process(run: PipelineRun, *extra: str) -> PipelineRun:
    """Run `lvsocial run` inside the test process, through the console entry point (`orchestration.cli.main`), on the
    folders of `run`; saves the start of a new Python and Dagster for each rerun. The progress lines it prints are
    the run's output, as in `run_pipeline`.

    The Dagster definitions bind the warehouse and landing when first imported, so every in-process run of a session
    must use the same folders: tests restore them from a copy (`copy_run`) rather than use new ones."""
    from orchestration import cli

    loaded = sys.modules.get("orchestration.definitions")
    bound = getattr(getattr(getattr(loaded, "defs", None), "resources", {}).get("warehouse"), "path", None)
    if bound is not None and Path(bound) != run.warehouse.resolve():
        pytest.fail(f"the Dagster definitions in this process are bound to {bound}, not to {run.warehouse}: "
                    "in-process runs must all use the same folders")
    out = io.StringIO()
    with restored_environ(), redirect_stdout(out), redirect_stderr(out):
        os.environ["DAGSTER_HOME"] = str(run.dagster_home)
        code = cli.main(["run", "--landing", str(run.landing), "--warehouse", str(run.warehouse), *extra])
    return PipelineRun(run.root, run.landing, run.warehouse, run.dagster_home, code, out.getvalue())


def copy_run(source: PipelineRun, root: Path) -> PipelineRun:
    """Put a copy of a run's folders (landing, warehouse with its published copy and dbt state, Dagster home) at
    `root`, replacing what is there, so that a test reruns from a known state instead of from scratch."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(source.root, root, symlinks=True)
    moved = {name: root / getattr(source, name).relative_to(source.root)
             for name in ("landing", "warehouse", "dagster_home")}
    return PipelineRun(root, moved["landing"], moved["warehouse"], moved["dagster_home"], source.returncode,
                       source.output)


@pytest.fixture(scope="session")
def in_process_root(tmp_path_factory) -> Path:
    """The one folder every in-process run of the session works in (see run_in_process): a test copies its starting
    state here (`copy_run`) and its results away again before the next test needs the folder."""
    return tmp_path_factory.mktemp("in_process") / "work"


def in_process_run(root: Path) -> PipelineRun:
    """The folders of an in-process run at root (emptied first): landing, warehouse and Dagster home inside it."""
    if root.exists():
        shutil.rmtree(root)
    (root / "landing").mkdir(parents=True)
    return PipelineRun(root, root / "landing", root / "warehouse" / "lvsocial.duckdb", root / "dagster_home", -1, "")


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> PipelineRun:
    """The one pipeline run on the shipped sample. Under pytest-xdist (scripts/test.sh runs two workers) the
    controller starts it in the background before the first test (SampleRunInBackground) in a folder every worker
    sees, and a worker that needs it waits for it to end; the workers' first tests do not need it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # not under xdist
        return _checked(run_pipeline(tmp_path_factory.mktemp("sample_run"), SAMPLE_LANDING))
    shared = tmp_path_factory.getbasetemp().parent  # the session's folder, above each worker's own
    return _checked(SampleRunInBackground(shared).wait())


class SampleRunInBackground:
    """The sample run of an xdist session: `start()` in the controller, `wait()` in the workers (the run's exit code
    and output land in `sample_run.json` when it ends)."""

    def __init__(self, shared: Path):
        self.root, self.done, self.log = shared / "sample_run", shared / "sample_run.json", shared / "sample_run.log"

    def start(self) -> None:
        import threading

        log = open(self.log, "w", encoding="utf-8")  # noqa: SIM115  (closed when the run ends)
        run, proc = start_pipeline(self.root, SAMPLE_LANDING, output=log)

        def finish() -> None:
            try:
                code = proc.wait(timeout=1800)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            log.close()
            self.done.write_text(json.dumps({"returncode": code,
                                             "output": self.log.read_text(encoding="utf-8")}), encoding="utf-8")

        threading.Thread(target=finish, daemon=True, name="sample-run").start()

    def wait(self, timeout: float = 1800) -> PipelineRun:
        deadline = time.monotonic() + timeout
        while not self.done.exists():
            if time.monotonic() > deadline:
                pytest.fail(f"the sample run did not end within {timeout} s; its log: {self.log}")
            time.sleep(1)
        saved = json.loads(self.done.read_text(encoding="utf-8"))
        return PipelineRun(self.root, SAMPLE_LANDING, self.root / "warehouse" / "lvsocial.duckdb",
                           self.root / "dagster_home", saved["returncode"], saved["output"])


def _checked(run: PipelineRun) -> PipelineRun:
    if run.returncode != 0:
        pytest.fail(f"lvsocial run on the sample failed ({run.returncode}):\n{run.output[-5000:]}")
    return run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ui(sample_run):
    """`lvsocial ui` on the sample run's instance and warehouse; yields its base URL, stops it at the end."""
    with serve_ui(sample_run) as base:
        yield base


@contextmanager
def serve_ui(sample_run, *extra: str):
    """Start `lvsocial ui` (with extra flags), wait until it answers, yield its base URL, then stop it."""
    port = _free_port()
    log_path = sample_run.root / f"ui{'-'.join(extra)}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([LVSOCIAL, "ui", "--port", str(port), *extra], env=sample_run.env(), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/server_info", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"lvsocial ui exited: {log_path.read_text()[-3000:]}")
                time.sleep(1)
        else:
            pytest.fail("the UI did not answer within 180 s")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


_SESSION_START = time.time()
_MARKERS = ("unit", "pipeline", "runs", "engines")  # one per folder under tests/, registered in pyproject.toml


# Test files that share a session fixture of their own run in one pytest-xdist worker: the Spark build
# (tests/engines/conftest.py), the UI server on the sample run's Dagster home (one daemon per home), the run over both
# bad-input corpora (tests/runs/conftest.py). Every other file is a group of its own, so its module fixtures (a run,
# a seeded warehouse) are made once. (pytest-xdist's own `--dist loadgroup` markers have no effect on pytest 9: it
# renames node ids through an attribute pytest 9 no longer reads; the scheduler below groups by file instead.)
XDIST_GROUPS = {
    "engines/test_spark_pipeline.py": "spark", "engines/test_spark_target.py": "spark",
    "engines/test_ui_browser.py": "ui", "engines/test_ui_lineage.py": "ui", "engines/test_deployment.py": "ui",
    "runs/test_bad_input_corpus.py": "bad_input", "runs/test_bad_input_corpus_sources.py": "bad_input",
}


def xdist_group(nodeid: str) -> str:
    """The worker group of a test: its file's group in XDIST_GROUPS, else its own file."""
    path = nodeid.split("::", 1)[0]
    return XDIST_GROUPS.get(path.removeprefix("tests/"), path)


# The groups that take longest, started first (each to the next free worker); the rest follow in collection order.
FIRST = ["spark", "tests/runs/test_fault_tolerance.py", "ui", "tests/runs/test_incremental.py",
         "tests/engines/test_postgres_target.py", "bad_input"]


def pytest_xdist_make_scheduler(config, log):
    """Whole groups to one worker at a time (xdist's scope scheduling, the scope being the group) in collection order
    (the long ones first: pytest_collection_modifyitems), and the sample run started in the background when any
    collected test is not a unit test."""
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False  # the order below, not by number of tests

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group(nodeid)

        def schedule(self) -> None:
            if self.collection is None and self.collection_is_completed:
                collected = list(next(iter(self.registered_collections.values())))
                if any(not nodeid.startswith("tests/unit/") for nodeid in collected):
                    SampleRunInBackground(config._tmp_path_factory.getbasetemp()).start()
            super().schedule()

    return GroupScheduling(config, log)


def pytest_collection_modifyitems(items) -> None:
    """Mark each test by its folder (tests/unit, tests/pipeline, ...), so `-m "unit or pipeline"` picks folders; put
    the long groups (FIRST) first, each file's tests in their order (every xdist worker sorts alike)."""
    tests = Path(__file__).resolve().parent
    rank = {group: i for i, group in enumerate(FIRST)}
    order = {id(item): i for i, item in enumerate(items)}
    items.sort(key=lambda item: (rank.get(xdist_group(item.nodeid), len(FIRST)), order[id(item)]))
    for item in items:
        parts = Path(str(item.path)).resolve().relative_to(tests).parts
        if len(parts) < 2 or parts[0] not in _MARKERS:
            # a test outside the folders would run in no group of `--fast` and be missed by `-m`
            raise pytest.UsageError(f"{item.path}: tests live in tests/{{{','.join(_MARKERS)}}}/, not here")
        item.add_marker(parts[0])


def pytest_terminal_summary(terminalreporter) -> None:
    """List the screenshots this session saved (the browser test's artefacts), so CI logs show where they are."""
    shots = sorted(p for p in (REPO / "tests" / "artifacts").glob("*.png") if p.stat().st_mtime >= _SESSION_START)
    if shots:
        terminalreporter.write_sep("-", "screenshots (tests/artifacts)")
        for path in shots:
            terminalreporter.write_line(str(path))


@dataclass
class PostgresServer:
    """A PostgreSQL server for the postgres target's tests: CI's (LVSOCIAL_PG_* set by .ci/run) or a throwaway one
    started here with scripts/postgres.sh. Each test module gets a database of its own (`database()`)."""

    host: str
    port: int
    user: str
    password: str

    def env(self, dbname: str) -> dict:
        return {"LVSOCIAL_PG_HOST": self.host, "LVSOCIAL_PG_PORT": str(self.port), "LVSOCIAL_PG_USER": self.user,
                "LVSOCIAL_PG_PASSWORD": self.password, "LVSOCIAL_PG_DATABASE": dbname}

    def settings(self, dbname: str) -> dict:
        return {"host": self.host, "port": self.port, "user": self.user, "password": self.password,
                "dbname": dbname}

    def database(self, prefix: str) -> str:
        """A new, empty database (the role `lvsocial` may create databases)."""
        import uuid

        import psycopg2

        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        con = psycopg2.connect(**self.settings("postgres"))
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f"create database {name}")
        con.close()
        return name


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    if os.environ.get("LVSOCIAL_PG_PORT"):
        yield PostgresServer(os.environ.get("LVSOCIAL_PG_HOST", "127.0.0.1"), int(os.environ["LVSOCIAL_PG_PORT"]),
                             os.environ.get("LVSOCIAL_PG_USER", "lvsocial"), os.environ.get("LVSOCIAL_PG_PASSWORD", ""))
        return
    # Not under pytest's tmp folder: it is private to the user running the tests, and as root the server runs as
    # the `postgres` user (scripts/postgres.sh), which must reach its data folder.
    import shutil
    import tempfile

    data = Path(tempfile.mkdtemp(prefix="lvsocial-test-pg-"))
    port = _free_port()
    script = str(REPO / "scripts" / "postgres.sh")
    proc = subprocess.run(["bash", script, "start", str(data), str(port)], capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"could not start a throwaway PostgreSQL server:\n{proc.stdout}\n{proc.stderr}")
    try:
        yield PostgresServer("127.0.0.1", port, "lvsocial", "")
    finally:
        subprocess.run(["bash", script, "stop", str(data)], capture_output=True, timeout=120)
        shutil.rmtree(data, ignore_errors=True)
