"""`lvsocial ui` and `lvsocial daemon`: the Dagster web server and daemon as child processes on the same instance
and definitions as `lvsocial run`; and `lvsocial prepare`, which builds the dbt manifest they load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from orchestration import config
from orchestration.cli.locations import settings_from
from orchestration.settings import Settings


def cmd_ui(args) -> int:
    settings = settings_from(args)
    landing, warehouse = settings.landing_dir, settings.warehouse
    config.prepare_manifest()
    mode = " (read-only: no launching, no wiping)" if args.read_only else \
        " (web server only: the daemon of the instance launches runs)" if args.no_daemon else ""
    print(f"Dagster UI on http://{args.host}:{args.port}{mode} — landing {landing}, warehouse {warehouse}",
          flush=True)
    bin_dir = Path(sys.executable).parent
    if args.read_only or args.no_daemon:
        # Auditors (--read-only): the web server alone, in Dagster's read-only mode; no daemon, so no sensors or
        # schedules run. --no-daemon: the web server alone for engineers of a shared deployment, whose one daemon
        # (`lvsocial daemon`) runs elsewhere on the same instance; two daemons on one instance are not supported.
        cmd = [str(bin_dir / "dagster-webserver"), "-m", "orchestration.definitions", "-h", args.host,
               "-p", str(args.port)] + (["--read-only"] if args.read_only else [])
    else:
        cmd = [str(bin_dir / "dagster"), "dev", "-m", "orchestration.definitions", "-h", args.host,
               "-p", str(args.port)]
    return _run_child(cmd, settings)


def cmd_daemon(args) -> int:
    settings = settings_from(args)
    config.prepare_manifest()
    print(f"Dagster daemon (schedules, sensors, run queue, run monitoring) on {settings.dagster_home} — "
          f"landing {settings.landing_dir}, warehouse {settings.warehouse}", flush=True)
    cmd = [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-m", "orchestration.definitions"]
    return _run_child(cmd, settings)


def _run_child(cmd: list[str], settings: Settings) -> int:
    """Run a Dagster server process in the repository until it ends, with the settings in its environment (its
    code locations build their resources from them); Ctrl-C stops it the way Dagster expects."""
    proc = subprocess.Popen(cmd, cwd=config.REPO_ROOT, env=settings.child_env())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(2)
        return proc.wait()


def cmd_prepare(args) -> int:
    config.prepare_manifest(force=True)
    from orchestration.dbt_specs import CACHE, write_cache

    write_cache()  # so that the next definitions load (UI, daemon, run) need not import dagster-dbt
    print(f"dbt manifest ready: {config.MANIFEST}\nDagster specs of the dbt assets: {CACHE}")
    return 0
