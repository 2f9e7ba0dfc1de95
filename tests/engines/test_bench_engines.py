"""`python -m bench --only engines` on a PostgreSQL server (the unit part of the benchmark is tests/unit/test_bench.py):
each run gets a database of its own, dropped afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_engines_part_gives_each_postgres_run_its_own_database(postgres_server, monkeypatch):
    """`--only engines`: a new database per run on the named server, dropped afterwards; the server's pid found
    for sampling its memory; unknown engines refused."""
    import argparse

    import psycopg2

    from bench.__main__ import _engines
    from bench.engines import postgres_server as bench_server

    for key, value in postgres_server.env("lvsocial").items():
        monkeypatch.setenv(key, value)
    with bench_server(Path("/nonexistent")) as server:  # a named server: nothing started
        with server.database() as env:
            name = env["LVSOCIAL_PG_DATABASE"]
            con = psycopg2.connect(**postgres_server.settings(name))
            con.close()
        pid = server.server_pid()
    assert pid and Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].endswith(b"postgres")
    con = psycopg2.connect(**postgres_server.settings("postgres"))
    with con.cursor() as cur:
        cur.execute("select count(*) from pg_database where datname = %s", [name])
        assert cur.fetchone()[0] == 0
    con.close()
    assert _engines("duckdb,postgres") == ["duckdb", "postgres"]
    with pytest.raises(argparse.ArgumentTypeError, match="unknown engine"):
        _engines("oracle")
