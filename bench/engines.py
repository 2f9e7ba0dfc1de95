"""The engines part of the benchmark: the same `lvsocial run` with `--target duckdb|postgres|spark`.

PostgreSQL is the server LVSOCIAL_PG_* names (each run gets a new database on it, dropped afterwards) or, when none
is named, a throwaway one started with scripts/postgres.sh in the work folder for the benchmark's duration. Its
server processes are not in the pipeline's process tree: their memory is sampled separately (`server_peak_rss_mib`,
the sum of the server's processes' resident memory, which counts shared buffers more than once)."""

from __future__ import annotations

import socket
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

from bench.landings import REPO, BenchError
from orchestration.engines.targets import TARGETS

ENGINES = TARGETS  # every target the pipeline knows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    def __init__(self, settings: dict, postmaster_pid: int | None):
        self.settings = settings
        self.postmaster_pid = postmaster_pid

    def _admin(self):
        import psycopg2

        con = psycopg2.connect(**{**self.settings, "dbname": "postgres"})
        con.autocommit = True
        return con

    @contextmanager
    def database(self):
        """A new database for one run; its LVSOCIAL_PG_* environment. Dropped afterwards."""
        name = f"lvsocial_bench_{uuid.uuid4().hex[:8]}"
        con = self._admin()
        with con.cursor() as cur:
            cur.execute(f"create database {name}")
        try:
            yield {"LVSOCIAL_PG_HOST": self.settings["host"], "LVSOCIAL_PG_PORT": str(self.settings["port"]),
                   "LVSOCIAL_PG_USER": self.settings["user"], "LVSOCIAL_PG_PASSWORD": self.settings["password"],
                   "LVSOCIAL_PG_DATABASE": name}
        finally:
            with con.cursor() as cur:
                cur.execute(f"drop database if exists {name} with (force)")
            con.close()

    def server_pid(self) -> int | None:
        """The postmaster's pid (for sampling the server's memory), asked of the server itself."""
        if self.postmaster_pid:
            return self.postmaster_pid
        con = self._admin()
        try:
            with con.cursor() as cur:
                cur.execute("select pg_backend_pid()")
                backend = cur.fetchone()[0]
            try:
                with open(f"/proc/{backend}/stat", encoding="ascii") as fh:
                    return int(fh.read().rsplit(")", 1)[1].split()[1])  # the backend's parent: the postmaster
            except OSError:
                return None  # a server on another machine
        finally:
            con.close()


@contextmanager
def postgres_server(work: Path):
    """The named server (LVSOCIAL_PG_*), else a throwaway one in WORK/postgres, stopped at the end."""
    from orchestration.settings import Settings

    settings = Settings()
    if "pg_port" in settings.model_fields_set:  # LVSOCIAL_PG_PORT names a server
        yield Postgres({k: settings.pg[k] for k in ("host", "port", "user", "password")}, None)
        return
    data = work / "postgres"
    port = _free_port()
    script = str(REPO / "scripts" / "postgres.sh")
    proc = subprocess.run(["bash", script, "start", str(data), str(port)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BenchError(f"could not start a throwaway PostgreSQL server: {proc.stderr[-2000:]}")
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        yield Postgres({"host": "127.0.0.1", "port": port, "user": "lvsocial", "password": ""}, pid)
    finally:
        subprocess.run(["bash", script, "stop", str(data)], capture_output=True)
