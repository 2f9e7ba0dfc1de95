"""The `lvsocial` command: `run` materialises every asset on a landing folder into a warehouse and records the
run in the persistent Dagster instance; `ui` serves the Dagster UI on the same instance and definitions;
`prepare` builds the dbt manifest."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from orchestration import config


def _apply_locations(args) -> tuple[Path, Path]:
    """Resolve landing folder and warehouse and export them, so Dagster code locations and dbt see the same."""
    landing = config.landing_dir(getattr(args, "landing", None))
    warehouse = config.warehouse_path(getattr(args, "warehouse", None))
    os.environ["LVSOCIAL_LANDING_DIR"] = str(landing)
    os.environ["LVSOCIAL_WAREHOUSE"] = str(warehouse)
    os.environ["DAGSTER_HOME"] = str(config.dagster_home())
    return landing, warehouse


class _WorkerOutput:
    """Sends what the run's thread prints (dbt's log lines) to a log file, keeping the terminal for progress."""

    def __init__(self, terminal, log_path: Path, worker: threading.Thread | None = None):
        self.terminal, self.worker = terminal, worker
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(log_path, "w", encoding="utf-8")

    def write(self, text):
        if threading.current_thread() is self.worker:
            return self.log.write(text)
        return self.terminal.write(text)

    def flush(self):
        self.log.flush()
        self.terminal.flush()

    def __getattr__(self, name):
        return getattr(self.terminal, name)


class Progress:
    def __init__(self):
        self.start = time.monotonic()

    def say(self, message: str) -> None:
        print(f"[{time.monotonic() - self.start:6.1f}s] {message}", flush=True)


def _watch(instance, run_id: str, progress: Progress, done: threading.Event, outcome: dict) -> None:
    """Print materialisations, failed checks and step failures as the run reports them."""
    from dagster import DagsterEventType

    kinds = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION,
             DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_SUCCESS}
    cursor = None
    partitions: dict[str, int] = {}
    while True:
        finished = done.is_set()
        try:
            conn = instance.get_records_for_run(run_id, cursor=cursor, of_type=kinds, limit=500)
        except Exception:  # the run may not be stored yet
            time.sleep(0.3)
            continue
        for record in conn.records:
            event = record.event_log_entry.dagster_event
            if event is None:
                continue
            if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                mat = event.event_specific_data.materialization
                key = "/".join(mat.asset_key.path)
                if mat.partition:
                    partitions[key] = partitions.get(key, 0) + 1
                    continue
                rows = mat.metadata.get("dagster/row_count") or mat.metadata.get("rows_loaded")
                rows_text = f" ({rows.value:,} rows)" if rows is not None else ""
                outcome.setdefault("materialized", []).append(key)
                progress.say(f"materialised {key}{rows_text}")
            elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
                ev = event.event_specific_data
                name = f"{'/'.join(ev.asset_key.path)}:{ev.check_name}"
                severity = getattr(ev.severity, "value", str(ev.severity))
                outcome.setdefault("checks", []).append((name, ev.passed, severity))
                if not ev.passed:
                    progress.say(f"check {'FAILED' if severity == 'ERROR' else 'warned'}: {name}")
            elif event.event_type == DagsterEventType.STEP_SUCCESS:
                for key, n in partitions.items():
                    outcome.setdefault("materialized", []).append(key)
                    progress.say(f"materialised {key} ({n} partition{'s' if n != 1 else ''})")
                partitions.clear()
            elif event.event_type == DagsterEventType.STEP_FAILURE:
                err = event.event_specific_data.error
                message = err.message.strip().splitlines()[0] if err else "unknown error"
                outcome.setdefault("step_failures", []).append((event.step_key, message))
                progress.say(f"step FAILED: {event.step_key}: {message}")
        cursor = conn.cursor
        if finished and not conn.has_more:
            return
        if not conn.has_more:
            time.sleep(0.5)


def _summary(warehouse: Path, outcome: dict, progress: Progress) -> None:
    import duckdb

    checks = outcome.get("checks", [])
    passed = sum(1 for _, ok, _ in checks if ok)
    failed = [(n, s) for n, ok, s in checks if not ok]
    print("\nSummary")
    print(f"  checks: {passed} passed, {sum(1 for _, s in failed if s == 'ERROR')} failed, "
          f"{sum(1 for _, s in failed if s != 'ERROR')} warned")
    for name, severity in failed:
        print(f"    {'FAILED' if severity == 'ERROR' else 'warn  '} {name}")
    if not warehouse.exists():
        print(f"  warehouse {warehouse} was not created")
        return
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        print(f"  could not open the warehouse to count rows: {exc}")
        return
    with con:
        print("  rows per mart:")
        tables = [f"{a}.{b}" for a, b in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'reporting') order by table_schema, table_name").fetchall()]
        for table in tables:
            try:
                n = con.execute(f"select count(*) from {table}").fetchone()[0]
                print(f"    {table:<45} {n:>10,}")
            except duckdb.Error:
                print(f"    {table:<45} {'(missing)':>10}")
        try:
            rejected = con.execute("select source, count(*) from audit.rejected_rows group by 1 order by 1").fetchall()
            loaded = con.execute("select count(*), coalesce(sum(rows_loaded), 0) from audit.load_log").fetchone()
            print(f"  files loaded: {loaded[0]}, rows loaded: {loaded[1]:,}; rejected rows: "
                  + (", ".join(f"{s} {n}" for s, n in rejected) or "none") + " (audit.rejected_rows)")
        except duckdb.Error:
            pass
    print(f"  marts are in {warehouse} (schemas marts, reporting); run history: `lvsocial ui`")
    print(f"  took {time.monotonic() - progress.start:.1f}s")


def cmd_run(args) -> int:
    landing, warehouse = _apply_locations(args)
    progress = Progress()
    print(f"lvsocial run\n  landing   {landing}\n  warehouse {warehouse}\n  dagster   {os.environ['DAGSTER_HOME']}",
          flush=True)
    if not landing.is_dir():
        print(f"error: landing folder {landing} does not exist", file=sys.stderr)
        return 2
    config.prepare_manifest()
    from ingestion import landing as landing_mod

    found = landing_mod.scan(landing)
    snapshots = sorted(found.register_snapshots())
    progress.say(f"landing: {len(snapshots)} register snapshot(s)"
                 + (f" ({snapshots[0]} … {snapshots[-1]})" if snapshots else ""))
    for source in found.absent_sources():
        progress.say(f"warning: no files for source '{source}' — it gives empty tables")
    for path in found.ignored[:20]:
        progress.say(f"warning: ignored file of unknown name {path.relative_to(landing)}")

    progress.say("loading Dagster definitions ...")
    from dagster import DagsterInstance, DynamicPartitionsDefinition

    from orchestration.definitions import SOURCES, defs

    instance = DagsterInstance.get()
    base_tags = {"lvsocial/landing": str(landing), "lvsocial/warehouse": str(warehouse)}
    outcome: dict = {}
    all_ok = True
    for source in SOURCES:
        keys = source.keys_in(found)
        if not keys:
            continue
        tags = dict(base_tags)
        pdef = source.partitions_def
        if isinstance(pdef, DynamicPartitionsDefinition):
            existing = set(instance.get_dynamic_partitions(pdef.name))
            new = [k for k in keys if k not in existing]
            if new:
                instance.add_dynamic_partitions(pdef.name, new)
        if pdef is not None:
            ordered = list(pdef.get_partition_keys(dynamic_partitions_store=instance))
            wanted = [k for k in ordered if k in set(keys)]
            tags.update({"dagster/asset_partition_range_start": wanted[0],
                         "dagster/asset_partition_range_end": wanted[-1]})
        progress.say(f"ingesting {source.name}: {len(keys)} partition(s)")
        ok = _execute(defs.resolve_job_def(source.job_name), instance, tags, args, progress, outcome)
        all_ok &= ok
    if _blocking_failed(outcome):
        progress.say("a blocking check failed on raw data: the marts are left as they were")
        all_ok = False
    else:
        all_ok &= _execute(defs.resolve_job_def("transform"), instance, base_tags, args, progress, outcome)
    _summary(warehouse, outcome, progress)
    return 0 if all_ok and not _blocking_failed(outcome) else 1


def _blocking_failed(outcome: dict) -> bool:
    return any(not ok and sev == "ERROR" for _, ok, sev in outcome.get("checks", []))


def _execute(job, instance, tags: dict, args, progress: Progress, outcome: dict) -> bool:
    """Run a job in this process, recorded in the instance, printing progress from its events."""
    run_id = str(uuid.uuid4())
    done = threading.Event()
    result_box: dict = {}

    def execute():
        try:
            result_box["result"] = job.execute_in_process(
                instance=instance, run_id=run_id, tags=tags, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}})
        except Exception as exc:  # definitions or instance errors: report, don't hang the watcher
            result_box["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=execute, daemon=True)
    log_path = Path(os.environ["DAGSTER_HOME"]) / "logs" / f"run-{run_id[:8]}.log"
    terminal = sys.stdout
    if not args.verbose:
        sys.stdout = _WorkerOutput(terminal, log_path, worker)
        progress.say(f"run {run_id[:8]} ({job.name}); its dbt and Dagster logs: {log_path}")
    try:
        worker.start()
        _watch(instance, run_id, progress, done, outcome)
        worker.join()
    finally:
        if sys.stdout is not terminal:
            sys.stdout.log.close()
            sys.stdout = terminal
    if "error" in result_box:
        progress.say(f"run {run_id[:8]} could not start: {result_box['error']}")
        return False
    success = result_box["result"].success
    outcome.setdefault("runs", []).append((job.name, run_id, success))
    progress.say(f"run {run_id[:8]} ({job.name}) {'succeeded' if success else 'FAILED'}")
    return success


def cmd_ui(args) -> int:
    landing, warehouse = _apply_locations(args)
    config.prepare_manifest()
    print(f"Dagster UI on http://127.0.0.1:{args.port} — landing {landing}, warehouse {warehouse}", flush=True)
    cmd = [str(Path(sys.executable).parent / "dagster"), "dev", "-m", "orchestration.definitions",
           "-h", "127.0.0.1", "-p", str(args.port)]
    proc = subprocess.Popen(cmd, cwd=config.REPO_ROOT)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(2)
        return proc.wait()


def cmd_prepare(args) -> int:
    config.prepare_manifest(force=True)
    print(f"dbt manifest ready: {config.MANIFEST}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lvsocial", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    locations = argparse.ArgumentParser(add_help=False)
    locations.add_argument("--landing", help="landing folder (default: $LVSOCIAL_LANDING_DIR or the shipped sample)")
    locations.add_argument("--warehouse", help="warehouse DuckDB file (default: $LVSOCIAL_WAREHOUSE or "
                                                "warehouse/lvsocial.duckdb)")
    run = sub.add_parser("run", parents=[locations], help="materialise every asset on the landing folder")
    run.add_argument("--verbose", action="store_true", help="print dbt's log lines too")
    run.set_defaults(func=cmd_run)
    ui = sub.add_parser("ui", parents=[locations], help="serve the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    prep = sub.add_parser("prepare", help="build the dbt manifest (dbt parse)")
    prep.set_defaults(func=cmd_prepare)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
