"""One new register snapshot, as the sensor sees it: `python -m bench.snapshot NEW_FILE RESULT.json`.

Run in the environment `lvsocial run` uses (DAGSTER_HOME, LVSOCIAL_WAREHOUSE, LVSOCIAL_LANDING_DIR set), after a
full run on the landing folder. It loads `orchestration.definitions`, evaluates the real
`register_snapshot_sensor` once to set its cursor, copies NEW_FILE into the landing folder's registry/, evaluates
the sensor again — it must request exactly one run and add that snapshot's partition —, adds the partition to the
instance and executes the `register_snapshot` job for it in this process, recorded in the instance as the CLI
records its runs (`orchestration.cli.run.run_job`). RESULT.json gets the run's wall and CPU time and its start and
end (epoch seconds, so that the benchmark can take the peak memory of that window from its samples)."""

from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from pathlib import Path


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m bench.snapshot NEW_SNAPSHOT_FILE RESULT.json", file=sys.stderr)
        return 2
    new_file, result_path = Path(argv[0]), Path(argv[1])
    from ingestion.sources import REGISTRY
    from orchestration.settings import Settings

    settings = Settings()  # the environment `lvsocial run` uses
    landing = settings.landing_dir
    result: dict = {"new_file": new_file.name}

    t0 = time.perf_counter()
    import dagster as dg

    from orchestration.cli.run import run_job, run_tags
    from orchestration.definitions import defs

    instance = dg.DagsterInstance.get()
    sensor = defs.resolve_sensor_def("register_snapshot_sensor")
    result["definitions_load_s"] = round(time.perf_counter() - t0, 3)

    def tick(cursor: str | None):
        # With an instance ref, as the daemon evaluates sensors: run requests are resolved against the instance's
        # partitions plus those the tick adds.
        context = dg.build_sensor_context(instance_ref=instance.get_ref(), cursor=cursor, definitions=defs,
                                          sensor_name=sensor.name, resources=defs.resources)
        return sensor.evaluate_tick(context)

    t0 = time.perf_counter()
    first = tick(None)
    target = landing / REGISTRY.subfolder / new_file.name
    shutil.copy2(new_file, target)
    second = tick(first.cursor)
    result["sensor_ticks_s"] = round(time.perf_counter() - t0, 3)
    requests = list(second.run_requests or [])
    added = [key for req in (second.dynamic_partitions_requests or []) for key in req.partition_keys]
    # Without a cursor (the sensor switched on for the first time) every snapshot counts as changed.
    result.update(first_tick_run_requests=len(first.run_requests or []), run_requests=len(requests),
                  partitions_added=added)
    if len(requests) != 1 or len(added) != 1 or requests[0].partition_key != added[0]:
        result["error"] = (f"the sensor should request one run and add its partition after {new_file.name} "
                           f"landed; it requested {[r.partition_key for r in requests]} and added {added}")
        result_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(result["error"], file=sys.stderr)
        return 1
    request = requests[0]
    for req in second.dynamic_partitions_requests:
        instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))

    tags = {**request.tags, "dagster/partition": request.partition_key, "dagster/sensor_name": sensor.name,
            **run_tags(landing, settings.warehouse)}
    if request.run_key:
        tags["dagster/run_key"] = request.run_key
    job = defs.resolve_job_def(sensor.job_name)
    cpu0, start, t0 = _cpu(), time.time(), time.perf_counter()
    outcome = run_job(job, instance, tags=tags, settings=settings)
    ok = outcome.ok
    result.update(run_wall_s=round(time.perf_counter() - t0, 3), run_cpu_s=round(_cpu() - cpu0, 3),
                  run_start=start, run_end=time.time(), ok=ok, partition=request.partition_key, job=job.name,
                  materialized=len(outcome.materialized),
                  failed_checks=[name for name, passed, _ in outcome.checks if not passed],
                  step_failures=outcome.step_failures)
    result_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
