"""The `lvsocial` command line: its commands and flags, each command bound to the function that runs it."""

from __future__ import annotations

import argparse

from orchestration.cli import fetch as fetch_cmd
from orchestration.cli.rejected import cmd_rejected
from orchestration.cli.run import cmd_run
from orchestration.cli.servers import cmd_daemon, cmd_prepare, cmd_ui
from orchestration.engines.targets import TARGETS

# The help text of `lvsocial --help`.
DESCRIPTION = """\
The `lvsocial` command: `run` materialises every asset on a landing folder into a warehouse and records the
run in the persistent Dagster instance; `ui` serves the Dagster UI on the same instance and definitions;
`daemon` runs the Dagster daemon (schedules, sensors, run queue) on that instance; `prepare` builds the dbt
manifest; `fetch` fetches the publishers' files into the archive and a landing folder."""

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lvsocial", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    locations = argparse.ArgumentParser(add_help=False)
    locations.add_argument("--landing", help="landing folder (default: $LVSOCIAL_LANDING_DIR or the shipped sample)")
    locations.add_argument("--warehouse", help="warehouse DuckDB file (default: $LVSOCIAL_WAREHOUSE or "
                                                "warehouse/lvsocial.duckdb)")
    locations.add_argument("--target", choices=list(TARGETS),
                           help="where dbt builds the models (default: $LVSOCIAL_TARGET or duckdb); postgres reads "
                                "LVSOCIAL_PG_HOST/_PORT/_USER/_PASSWORD/_DATABASE; the DuckDB file keeps the raw "
                                "files' rows and the audit either way")
    run = sub.add_parser("run", parents=[locations], help="materialise every asset on the landing folder")
    run.add_argument("--verbose", action="store_true", help="print dbt's log lines too")
    run.add_argument("--column-lineage", action="store_true",
                     help="record dbt column lineage for the UI (sqlglot over every model; ~12 s on the sample)")
    run.add_argument("--reload", action="store_true",
                     help="load every file again, even those already loaded unchanged")
    run.set_defaults(func=cmd_run)
    ui = sub.add_parser("ui", parents=[locations],
                        help="serve the Dagster UI (with a daemon of its own, unless --read-only or --no-daemon)")
    ui.add_argument("--port", type=int, default=3000)
    ui.add_argument("--host", default="127.0.0.1",
                    help="interface to serve on (default 127.0.0.1; 0.0.0.0 for every interface)")
    mode = ui.add_mutually_exclusive_group()
    mode.add_argument("--read-only", action="store_true",
                      help="auditor mode: Dagster's read-only UI, without launch or wipe buttons (no daemon)")
    mode.add_argument("--no-daemon", action="store_true",
                      help="the web server without a daemon of its own (`dagster dev` starts one): for a shared "
                           "deployment where `lvsocial daemon` already runs on the same DAGSTER_HOME")
    ui.set_defaults(func=cmd_ui)
    daemon = sub.add_parser("daemon", parents=[locations],
                            help="run the Dagster daemon: schedules, sensors, the run queue (runs launched from the "
                                 "UI), run monitoring; one per DAGSTER_HOME (deploy/README.md)")
    daemon.set_defaults(func=cmd_daemon)
    rejected = sub.add_parser("rejected", parents=[locations], help="list rejected input rows by source and reason")
    rejected.add_argument("--source", help="only this source (e.g. registry)")
    rejected.add_argument("--file", help="only files whose name contains this")
    rejected.add_argument("--limit", type=int, default=50, help="rows to list after the counts (default 50)")
    rejected.add_argument("--full", action="store_true", help="print raw records in full")
    rejected.set_defaults(func=cmd_rejected)
    fetch_cmd.add_parser(sub)
    prep = sub.add_parser("prepare", help="build the dbt manifest (dbt parse)")
    prep.set_defaults(func=cmd_prepare)
    return parser
