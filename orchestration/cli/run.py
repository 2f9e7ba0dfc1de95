"""`lvsocial run`: check the target, prepare the manifest, run each source's ingestion job on the partitions its
landing files give, then the transform job unless a blocking check failed; and `run_job`, which runs one job in
this process on a Dagster instance, recorded there, printing its progress (the benchmark calls it too)."""

from __future__ import annotations

import os
import socket
import sys
import threading
import uuid
from pathlib import Path

from orchestration import config
from orchestration.cli.locations import settings_from
from orchestration.cli.progress import Outcome, Progress, WorkerOutput, watch
from orchestration.cli.summary import summary
from orchestration.settings import Settings


def cmd_run(args) -> int:
    from orchestration.engines.targets import engine_for

    try:
        settings = settings_from(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    landing, warehouse, target = settings.landing_dir, settings.warehouse, settings.target
    progress = Progress()
    engine = engine_for(target, warehouse, settings)
    print(f"lvsocial run\n  landing   {landing}\n  warehouse {warehouse}\n  dagster   {settings.dagster_home}"
          + ("" if engine.in_store else f"\n  target    {engine.describe()}"), flush=True)
    if not landing.is_dir():
        print(f"error: landing folder {landing} does not exist", file=sys.stderr)
        return 2
    problem = _check(engine)
    if problem:
        print(f"error: target {target}: {problem}", file=sys.stderr)
        return 2
    try:
        config.prepare_manifest()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parse = config.start_parse(settings, engine)  # while the sources load
    try:
        return _run_pipeline(args, settings, progress, parse)
    finally:
        config.finish_parse(parse, stop=True)  # normally finished before the transform run


def _check(engine) -> str | None:
    """Why the target cannot be used (missing packages, server unreachable), before any run; None when it can."""
    from orchestration.engines.base import TargetError

    try:
        engine.check()
    except TargetError as exc:
        return str(exc)
    return None


def _run_pipeline(args, settings: Settings, progress: Progress, parse) -> int:
    from ingestion import landing as landing_mod

    landing, warehouse = settings.landing_dir, settings.warehouse
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
    base_tags = run_tags(landing, warehouse)
    outcome = Outcome()
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
        run_job(defs.resolve_job_def(source.job_name), instance, tags=tags, run_config=run_config,
                verbose=args.verbose, progress=progress, outcome=outcome, settings=settings)
    if outcome.blocking_failed:
        progress.say("a blocking check failed on raw data: the marts are left as they were")
    else:
        transform_config = {"ops": {"lvsocial_dbt_assets": {"config": {"column_lineage": True}}}} \
            if args.column_lineage else None
        problem = config.finish_parse(parse)
        if problem:
            progress.say(f"warning: {problem}")
        run_job(defs.resolve_job_def("transform"), instance, tags=base_tags, run_config=transform_config,
                verbose=args.verbose, progress=progress, outcome=outcome, settings=settings)
    summary(settings, outcome, progress)
    return 0 if outcome.ok and not outcome.blocking_failed else 1


def run_tags(landing: Path | str, warehouse: Path | str) -> dict[str, str]:
    """The tags lvsocial puts on its runs: where they read and wrote, and the process running them (so that a run
    left unfinished by a killed process can be told from one still running)."""
    return {"lvsocial/landing": str(landing), "lvsocial/warehouse": str(warehouse),
            "lvsocial/pid": str(os.getpid()), "lvsocial/host": socket.gethostname()}


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


def run_job(job, instance, *, tags: dict[str, str] | None = None, run_config: dict | None = None,
            verbose: bool = False, progress: Progress | None = None, outcome: Outcome | None = None,
            settings: Settings | None = None) -> Outcome:
    """Run one job of the pipeline in this process on the Dagster `instance`, recorded there as any run, and
    return what it reported.

    `job` is a resolved job (`defs.resolve_job_def(name)`); `tags` are the run's tags (e.g. `run_tags(...)` and a
    partition's); `run_config` is merged with the console logger's (errors only). Materialisations, failed checks
    and step failures are printed through `progress` (a new one when not given) as the run stores them. Unless
    `verbose`, what the run's threads print (dbt's log lines) goes to `run-<id>.log` in the logs folder of
    `settings` (this process's when not given: `$DAGSTER_HOME/logs`) instead of the terminal. The events are added
    to `outcome` when given (one Outcome over several jobs), else to a new one; it is returned either way:
    `.runs[-1]` is this run's (job, run id, succeeded), `.ok` is False when a run failed or could not start (a
    definitions or instance error, in `.errors`)."""
    progress = progress or Progress()
    outcome = Outcome() if outcome is None else outcome
    run_id = str(uuid.uuid4())
    done = threading.Event()
    result_box: dict = {}

    def execute():
        try:
            result_box["result"] = job.execute_in_process(
                instance=instance, run_id=run_id, tags=tags or {}, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}, **(run_config or {})})
        except Exception as exc:  # definitions or instance errors: report, don't hang the watcher
            result_box["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=execute, daemon=True)
    log_path = (settings or Settings()).logs_dir / f"run-{run_id[:8]}.log"
    terminal, log = sys.stdout, None
    if not verbose:
        # dbt's log lines go to the run's log file; Dagster's error-level lines (stderr) stay on the terminal.
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115  (closed below, after the run's threads end)
        sys.stdout = WorkerOutput(terminal, log)
        progress.say(f"run {run_id[:8]} ({job.name}); its dbt and Dagster logs: {log_path}")
    try:
        worker.start()
        watch(instance, run_id, progress, done, outcome)
        worker.join()
    finally:
        sys.stdout = terminal
        if log is not None:
            log.close()
    if "error" in result_box:
        progress.say(f"run {run_id[:8]} could not start: {result_box['error']}")
        outcome.errors.append(f"{job.name}: {result_box['error']}")
        return outcome
    success = result_box["result"].success
    outcome.runs.append((job.name, run_id, success))
    progress.say(f"run {run_id[:8]} ({job.name}) {'succeeded' if success else 'FAILED'}")
    return outcome
