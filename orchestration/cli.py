"""The `lvsocial` command: `run` materialises every asset on a landing folder into a warehouse and records the
run in the persistent Dagster instance; `ui` serves the Dagster UI on the same instance and definitions;
`daemon` runs the Dagster daemon (schedules, sensors, run queue) on that instance; `prepare` builds the dbt
manifest."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from orchestration import config


def _apply_locations(args) -> tuple[Path, Path]:
    """Resolve landing folder and warehouse and export them, so Dagster code locations and dbt see the same."""
    from orchestration import targets

    landing = config.landing_dir(getattr(args, "landing", None))
    warehouse = config.warehouse_path(getattr(args, "warehouse", None))
    os.environ["LVSOCIAL_LANDING_DIR"] = str(landing)
    os.environ["LVSOCIAL_WAREHOUSE"] = str(warehouse)
    os.environ["LVSOCIAL_TARGET"] = targets.target_name(getattr(args, "target", None))
    if os.environ["LVSOCIAL_TARGET"] == "spark":
        os.environ["LVSOCIAL_SPARK_DIR"] = str(targets.spark_dir(warehouse))
    os.environ["DAGSTER_HOME"] = str(config.dagster_home())
    return landing, warehouse


class _WorkerOutput:
    """Sends what the run's threads print (dbt's log lines) to the run's log file, keeping the terminal for the
    progress lines the main thread prints. dagster-dbt streams dbt's output from threads of its own, so everything
    not printed by the main thread goes to the log."""

    def __init__(self, terminal, log):
        self.terminal, self.log = terminal, log
        self.main = threading.main_thread()

    def write(self, text):
        if threading.current_thread() is not self.main:
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
        except Exception:  # the run may not be stored yet (or never will be, if it could not start)
            if finished:
                return
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
                _print_notes(progress, key, mat.metadata.get("warnings"), "warning")
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
                while err is not None and err.cause is not None and "DagsterExecutionStepExecutionError" in (
                        err.cls_name or ""):
                    err = err.cause  # the user code's own error says what went wrong
                message = err.message.strip().splitlines()[0] if err else "unknown error"
                outcome.setdefault("step_failures", []).append((event.step_key, message))
                progress.say(f"step FAILED: {event.step_key}: {message}")
                user = getattr(event.event_specific_data, "user_failure_data", None)
                if user is not None:
                    _print_notes(progress, event.step_key, user.metadata.get("failures"), "error")
                    _print_notes(progress, event.step_key, user.metadata.get("warnings"), "warning")
        cursor = conn.cursor
        if finished and not conn.has_more:
            return
        if not conn.has_more:
            time.sleep(0.5)


def _print_notes(progress: Progress, where: str, value, label: str) -> None:
    """Print the `- ...` lines of a markdown metadata value (file-level errors and warnings of an ingestion)."""
    text = getattr(value, "value", value) or ""
    if not isinstance(text, str) or text == "none":
        return
    for line in text.splitlines():
        if line.startswith("- "):
            progress.say(f"{label}: {line[2:]}")


def _summary(warehouse: Path, outcome: dict, progress: Progress) -> None:
    import duckdb

    from orchestration.publishing import published_dir
    from orchestration.targets import engine_for

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
    target = os.environ.get("LVSOCIAL_TARGET", "duckdb")
    engine = engine_for(target, warehouse)
    count = (lambda sql: con.execute(sql).fetchall()) if engine is None else engine.rows
    published_db = published_dir(warehouse) / "lvsocial.duckdb"
    if target == "spark" and published_db.exists():
        # One JVM per count would take minutes: the published copy was pulled from Spark at the end of the run.
        def count(sql):
            with duckdb.connect(str(published_db), read_only=True) as pub:
                return pub.execute(sql).fetchall()
    with con:
        print(f"  rows per mart{'' if engine is None else f' (on {target})'}:")
        try:
            tables = [f"{a}.{b}" for a, b in count(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema in ('marts', 'reporting') order by table_schema, table_name")]
        except Exception as exc:  # the target may be unreachable by now: say so, don't hide the run's outcome
            print(f"    could not list the marts on {target}: {exc}")
            tables = []
        for table in tables:
            try:
                n = count(f"select count(*) from {table}")[0][0]
                print(f"    {table:<45} {n:>10,}")
            except Exception:
                print(f"    {table:<45} {'(missing)':>10}")
        try:
            rejected = con.execute("select source, count(*) from audit.rejected_rows group by 1 order by 1").fetchall()
            loaded = con.execute("select count(*), coalesce(sum(rows_loaded), 0) from audit.load_log").fetchone()
            print(f"  files loaded: {loaded[0]}, rows loaded: {loaded[1]:,}; rejected rows: "
                  + (", ".join(f"{s} {n}" for s, n in rejected) or "none") + " (audit.rejected_rows)")
        except duckdb.Error:
            pass
    if engine is None:
        print(f"  marts are in {warehouse} (schemas marts, reporting); run history: `lvsocial ui`")
    else:
        where = _target_description(target, warehouse)
        print(f"  marts are on {where} (schemas marts, reporting); raw files and audit in {warehouse}; "
              "run history: `lvsocial ui`")
    from expectations.runner import quality_dir

    docs = quality_dir(warehouse) / "data_docs" / "index.html"
    if docs.exists():
        print(f"  data quality report (Great Expectations Data Docs): {docs}")

    manifest = published_dir(warehouse) / "manifest.json"
    if manifest.exists():
        import json

        stamp = json.loads(manifest.read_text(encoding="utf-8")).get("published_at", "?")
        print(f"  published copy for BI (published {stamp}): {published_dir(warehouse) / 'lvsocial.duckdb'} and "
              f"{published_dir(warehouse) / 'parquet'}/")
    from orchestration.charts import report_dir
    from orchestration.dbt_docs import dbt_docs_dir

    page = report_dir(warehouse) / "index.html"
    if page.exists():
        print(f"  charts (report page): {page}")
    site = dbt_docs_dir(warehouse) / "static_index.html"
    if site.exists():
        print(f"  dbt docs of the marts: {site} (opens from disk; or serve {dbt_docs_dir(warehouse)} over http)")
    print(f"  took {time.monotonic() - progress.start:.1f}s")


def _target_description(target: str, warehouse: Path) -> str:
    from orchestration import targets

    if target == "postgres":
        s = targets.pg_settings()
        return f"PostgreSQL {s['user']}@{s['host']}:{s['port']}/{s['dbname']}"
    if target == "spark":
        return f"Spark (local; warehouse and metastore in {targets.spark_dir(warehouse)})"
    return str(warehouse)


def _check_target(target: str, warehouse: Path) -> str | None:
    """An error message when the target cannot be used (missing packages, server unreachable), before any run."""
    from orchestration.targets import TargetError, engine_for

    try:
        engine = engine_for(target, warehouse)
        if engine is not None:
            engine.check()
    except TargetError as exc:
        return str(exc)
    return None


def cmd_run(args) -> int:
    try:
        landing, warehouse = _apply_locations(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    progress = Progress()
    target = os.environ["LVSOCIAL_TARGET"]
    print(f"lvsocial run\n  landing   {landing}\n  warehouse {warehouse}\n  dagster   {os.environ['DAGSTER_HOME']}"
          + ("" if target == "duckdb" else f"\n  target    {_target_description(target, warehouse)}"), flush=True)
    if not landing.is_dir():
        print(f"error: landing folder {landing} does not exist", file=sys.stderr)
        return 2
    problem = _check_target(target, warehouse)
    if problem:
        print(f"error: target {target}: {problem}", file=sys.stderr)
        return 2
    try:
        config.prepare_manifest()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parse = config.start_parse(warehouse, target)  # while the sources load
    try:
        return _run_pipeline(args, landing, warehouse, progress, parse)
    finally:
        config.finish_parse(parse, stop=True)  # normally finished before the transform run


def _run_pipeline(args, landing: Path, warehouse: Path, progress: Progress, parse) -> int:
    from ingestion import landing as landing_mod

    found = landing_mod.scan(landing)
    snapshots = sorted(found.register_snapshots())
    progress.say(f"landing: {len(snapshots)} register snapshot(s)"
                 + (f" ({snapshots[0]} … {snapshots[-1]})" if snapshots else ""))
    for source in found.absent_sources():
        progress.say(f"warning: no files for source '{source}' — it gives empty tables")
    for path, reason in found.ignored_with_reasons()[:50]:
        progress.say(f"warning: ignored {path.relative_to(landing)}: {reason}")

    progress.say("loading Dagster definitions ...")
    from dagster import DagsterInstance, DynamicPartitionsDefinition

    from orchestration.definitions import SOURCES, defs

    instance = DagsterInstance.get()
    _recover_dead_runs(instance, progress)
    base_tags = {"lvsocial/landing": str(landing), "lvsocial/warehouse": str(warehouse),
                 "lvsocial/pid": str(os.getpid()), "lvsocial/host": socket.gethostname()}
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
        run_config = {}
        if args.reload:  # only ingestion assets that take the reload option
            run_config = {"ops": {a.op.name: {"config": {"force_reload": True}} for a in source.assets
                                  if a.op.config_schema and "force_reload" in a.op.config_field.config_type.fields}}
        ok = _execute(defs.resolve_job_def(source.job_name), instance, tags, args, progress, outcome, run_config)
        all_ok &= ok
    if _blocking_failed(outcome):
        progress.say("a blocking check failed on raw data: the marts are left as they were")
        all_ok = False
    else:
        transform_config = {"ops": {"lvsocial_dbt_assets": {"config": {"column_lineage": True}}}} \
            if args.column_lineage else None
        problem = config.finish_parse(parse)
        if problem:
            progress.say(f"warning: {problem}")
        all_ok &= _execute(defs.resolve_job_def("transform"), instance, base_tags, args, progress, outcome,
                           transform_config)
    _summary(warehouse, outcome, progress)
    return 0 if all_ok and not _blocking_failed(outcome) else 1


def _recover_dead_runs(instance, progress: Progress) -> None:
    """Runs left 'started' by an lvsocial process that was killed still hold the warehouse pool's slot, and the
    next run would wait for it forever: mark them failed and free their slots. Runs launched from the UI are the
    daemon's business (run monitoring), not ours."""
    from dagster import DagsterRunStatus, RunsFilter

    stuck = instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING]))
    for run in stuck:
        pid, host = run.tags.get("lvsocial/pid"), run.tags.get("lvsocial/host")
        if not pid or host != socket.gethostname() or _process_alive(int(pid)):
            continue
        instance.report_run_failed(run, f"the lvsocial process {pid} running it ended without finishing it "
                                        "(killed or crashed)")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        progress.say(f"warning: run {run.run_id[:8]} ({run.job_name}) was left unfinished by a killed process: "
                     "marked failed, its warehouse slot freed")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _blocking_failed(outcome: dict) -> bool:
    return any(not ok and sev == "ERROR" for _, ok, sev in outcome.get("checks", []))


def _execute(job, instance, tags: dict, args, progress: Progress, outcome: dict, run_config=None) -> bool:
    """Run a job in this process, recorded in the instance, printing progress from its events."""
    run_id = str(uuid.uuid4())
    done = threading.Event()
    result_box: dict = {}

    def execute():
        try:
            result_box["result"] = job.execute_in_process(
                instance=instance, run_id=run_id, tags=tags, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}, **(run_config or {})})
        except Exception as exc:  # definitions or instance errors: report, don't hang the watcher
            result_box["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=execute, daemon=True)
    log_path = Path(os.environ["DAGSTER_HOME"]) / "logs" / f"run-{run_id[:8]}.log"
    terminal, log = sys.stdout, None
    if not args.verbose:
        # dbt's log lines go to the run's log file; Dagster's error-level lines (stderr) stay on the terminal.
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115  (closed below, after the run's threads end)
        sys.stdout = _WorkerOutput(terminal, log)
        progress.say(f"run {run_id[:8]} ({job.name}); its dbt and Dagster logs: {log_path}")
    try:
        worker.start()
        _watch(instance, run_id, progress, done, outcome)
        worker.join()
    finally:
        sys.stdout = terminal
        if log is not None:
            log.close()
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
    return _run_child(cmd)


def cmd_daemon(args) -> int:
    landing, warehouse = _apply_locations(args)
    config.prepare_manifest()
    print(f"Dagster daemon (schedules, sensors, run queue, run monitoring) on {os.environ['DAGSTER_HOME']} — "
          f"landing {landing}, warehouse {warehouse}", flush=True)
    cmd = [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-m", "orchestration.definitions"]
    return _run_child(cmd)


def _run_child(cmd: list[str]) -> int:
    """Run a Dagster server process in the repository until it ends; Ctrl-C stops it the way Dagster expects."""
    proc = subprocess.Popen(cmd, cwd=config.REPO_ROOT)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(2)
        return proc.wait()


def cmd_rejected(args) -> int:
    """List rejected input rows by source and reason, then the rows themselves."""
    import duckdb

    _, warehouse = _apply_locations(args)
    if not warehouse.exists():
        print(f"error: no warehouse at {warehouse}; run `lvsocial run` first", file=sys.stderr)
        return 2
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:
        print(f"error: cannot read {warehouse} while the pipeline writes it ({exc}); try again when the run ends",
              file=sys.stderr)
        return 2
    where, params = [], []
    if args.source:
        where.append("source = ?")
        params.append(args.source)
    if args.file:
        where.append("source_file like ?")
        params.append(f"%{args.file}%")
    clause = ("where " + " and ".join(where)) if where else ""
    with con:
        try:
            counts = con.execute(f"select source, reason, count(*), count(distinct source_file) from "
                                 f"audit.rejected_rows {clause} group by 1, 2 order by 1, 3 desc", params).fetchall()
        except duckdb.CatalogException:
            print("no audit tables yet: run `lvsocial run` first")
            return 0
        if not counts:
            print("no rejected rows")
            return 0
        print(f"{'source':<28} {'rows':>6} {'files':>6}  reason")
        for source, reason, n, files in counts:
            print(f"{source:<28} {n:>6} {files:>6}  {reason}")
        rows = con.execute(f"select source, source_file, source_row, reason, raw_record from audit.rejected_rows "
                           f"{clause} order by source, source_file, source_row limit ?",
                           [*params, args.limit]).fetchall()
    print(f"\nfirst {len(rows)} rejected rows (file:row — reason — raw record):")
    for source, file, row, reason, raw in rows:
        raw = raw if len(raw) <= 200 or args.full else raw[:200] + "…"
        print(f"  [{source}] {file}:{row} — {reason}\n      {raw}")
    return 0


def cmd_prepare(args) -> int:
    config.prepare_manifest(force=True)
    from orchestration.dbt_specs import CACHE, write_cache

    write_cache()  # so that the next definitions load (UI, daemon, run) need not import dagster-dbt
    print(f"dbt manifest ready: {config.MANIFEST}\nDagster specs of the dbt assets: {CACHE}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lvsocial", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    locations = argparse.ArgumentParser(add_help=False)
    locations.add_argument("--landing", help="landing folder (default: $LVSOCIAL_LANDING_DIR or the shipped sample)")
    locations.add_argument("--warehouse", help="warehouse DuckDB file (default: $LVSOCIAL_WAREHOUSE or "
                                                "warehouse/lvsocial.duckdb)")
    locations.add_argument("--target", choices=["duckdb", "postgres", "spark"],
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
    prep = sub.add_parser("prepare", help="build the dbt manifest (dbt parse)")
    prep.set_defaults(func=cmd_prepare)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
