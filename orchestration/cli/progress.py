"""What a run shows while it runs: the watcher printing materialisations, failed checks and step failures from the
run's events as they are stored, the outcome it collects, and the split of the terminal (progress lines) from the
run's log file (dbt's lines)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class Outcome:
    """What the runs of one command reported, collected from their events (one Outcome may span several jobs)."""

    runs: list[tuple[str, str, bool]] = field(default_factory=list)  # (job name, run id, succeeded)
    materialized: list[str] = field(default_factory=list)  # asset keys, "a/b"
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # ("asset:check", passed, severity)
    step_failures: list[tuple[str, str]] = field(default_factory=list)  # (step key, first line of the error)
    errors: list[str] = field(default_factory=list)  # runs that could not start, and why

    @property
    def ok(self) -> bool:
        """Every run started and succeeded."""
        return not self.errors and all(success for _, _, success in self.runs)

    @property
    def blocking_failed(self) -> bool:
        """An ERROR-severity check failed (the marts are then left as they were)."""
        return any(not passed and severity == "ERROR" for _, passed, severity in self.checks)


class WorkerOutput:
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


def watch(instance, run_id: str, progress: Progress, done: threading.Event, outcome: Outcome) -> None:
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
                print_notes(progress, key, mat.metadata.get("warnings"), "warning")
                rows = mat.metadata.get("dagster/row_count") or mat.metadata.get("rows_loaded")
                rows_text = f" ({rows.value:,} rows)" if rows is not None else ""
                outcome.materialized.append(key)
                progress.say(f"materialised {key}{rows_text}")
            elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
                ev = event.event_specific_data
                name = f"{'/'.join(ev.asset_key.path)}:{ev.check_name}"
                severity = getattr(ev.severity, "value", str(ev.severity))
                outcome.checks.append((name, ev.passed, severity))
                if not ev.passed:
                    progress.say(f"check {'FAILED' if severity == 'ERROR' else 'warned'}: {name}")
            elif event.event_type == DagsterEventType.STEP_SUCCESS:
                for key, n in partitions.items():
                    outcome.materialized.append(key)
                    progress.say(f"materialised {key} ({n} partition{'s' if n != 1 else ''})")
                partitions.clear()
            elif event.event_type == DagsterEventType.STEP_FAILURE:
                err = event.event_specific_data.error
                while err is not None and err.cause is not None and "DagsterExecutionStepExecutionError" in (
                        err.cls_name or ""):
                    err = err.cause  # the user code's own error says what went wrong
                message = err.message.strip().splitlines()[0] if err else "unknown error"
                outcome.step_failures.append((event.step_key, message))
                progress.say(f"step FAILED: {event.step_key}: {message}")
                user = getattr(event.event_specific_data, "user_failure_data", None)
                if user is not None:
                    print_notes(progress, event.step_key, user.metadata.get("failures"), "error")
                    print_notes(progress, event.step_key, user.metadata.get("warnings"), "warning")
        cursor = conn.cursor
        if finished and not conn.has_more:
            return
        if not conn.has_more:
            time.sleep(0.5)


def print_notes(progress: Progress, where: str, value, label: str) -> None:
    """Print the `- ...` lines of a markdown metadata value (file-level errors and warnings of an ingestion)."""
    text = getattr(value, "value", value) or ""
    if not isinstance(text, str) or text == "none":
        return
    for line in text.splitlines():
        if line.startswith("- "):
            progress.say(f"{label}: {line[2:]}")
