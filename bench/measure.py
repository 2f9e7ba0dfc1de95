"""Measuring a process and everything it starts: wall time, CPU time (user + system) and peak resident memory of
the whole process tree, on Linux (/proc).

* CPU: `os.wait4` on the child gives its own usage plus that of every descendant it waited for (dbt's
  subprocesses, for instance). For a process that is still running (the UI), `tree_cpu_seconds` sums /proc stats
  of the live tree instead.
* Peak RSS: a thread samples the tree every ~0.1 s — /proc/<pid>/task/*/children, recursively — and sums VmRSS
  of every process in it; the largest sum is the peak. Samples are kept, so that the peak of a time window (one
  Dagster run inside a longer process) can be read afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Direct children of a process (all its threads' children)."""
    kids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                kids.extend(int(k) for k in fh.read().split())
        except OSError:
            continue
    return kids


def tree(pid: int) -> list[int]:
    """The process and all its descendants that are alive now."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        todo.extend(children(p))
    return seen


def rss_bytes(pid: int) -> int:
    """Resident memory of one process (VmRSS), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss_bytes(pid: int) -> int:
    return sum(rss_bytes(p) for p in tree(pid))


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of the live tree, each process with the children it has waited for."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime (fields 14–17)
    return total / CLOCK_TICKS


class Sampler(threading.Thread):
    """Samples the resident memory of a process tree until stopped; keeps (epoch seconds, bytes) pairs."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append((time.time(), tree_rss_bytes(self.pid)))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    @property
    def peak(self) -> int:
        return max((b for _, b in self.samples), default=0)

    def peak_between(self, start: float, end: float) -> int:
        return max((b for t, b in self.samples if start <= t <= end), default=0)


@dataclass
class Measured:
    """What one measured process cost."""

    command: list[str]
    returncode: int
    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_bytes: int
    max_single_rss_bytes: int  # the largest single process (wait4's ru_maxrss)
    started: float  # epoch seconds
    samples: list[tuple[float, int]] = field(default_factory=list, repr=False)
    left_behind: int = 0  # processes still running in its group when it ended (ended by the benchmark)

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss_bytes / MIB

    def peak_between(self, start: float, end: float) -> int:
        return max((b for t, b in self.samples if start <= t <= end), default=0)

    def figures(self) -> dict:
        return {"wall_s": round(self.wall_s, 3), "cpu_s": round(self.cpu_s, 3), "user_s": round(self.user_s, 3),
                "sys_s": round(self.sys_s, 3), "peak_rss_mib": round(self.peak_rss_mib, 1),
                "max_single_process_rss_mib": round(self.max_single_rss_bytes / MIB, 1),
                "returncode": self.returncode, "processes_left_behind": self.left_behind}


def stop_group(proc: subprocess.Popen, first=signal.SIGINT, grace: float = 30.0) -> None:
    """End a process group this benchmark started (start_new_session=True): `first`, then SIGTERM, then SIGKILL,
    until no process of the group is left — not only its leader: `lvsocial ui` hands over to `dagster dev`, whose
    webserver, daemon and code servers share the group and may outlive the leader."""
    for sig, wait in ((first, grace), (signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            proc.poll()  # reap the leader, so that a zombie does not keep the group alive
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def default_signals() -> None:
    """In a measured child, before exec: SIGINT, SIGQUIT and SIGTERM back to their defaults. A benchmark started
    with `nohup … &` ignores them, children inherit that, and Dagster's compute-log `tail -F` processes then
    survive their run (they are ended with SIGTERM)."""
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group (found in /proc)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry))
    return members


def end_leftovers(pgid: int) -> int:
    """End what a finished measured process left running in the process group this benchmark made for it
    (SIGTERM, then SIGKILL); return how many there were."""
    left = group_members(pgid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not group_members(pgid):
            break
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        time.sleep(1)
    return len(left)


def _terminate_group(pgid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        time.sleep(10)


def run_measured(command: list[str], *, env: dict | None = None, cwd: Path | None = None,
                 log: Path | None = None, timeout: float | None = None, interval: float = 0.1) -> Measured:
    """Run a command to its end in its own session, measuring its whole process tree; output goes to `log`.

    On timeout or Ctrl-C the process group is stopped (SIGTERM, then SIGKILL) and the error re-raised."""
    out = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL
    try:
        started, t0 = time.time(), time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=default_signals)
        sampler = Sampler(proc.pid, interval)
        sampler.start()
        timer = None
        if timeout:  # signals only: this thread's wait4 reaps the process
            timer = threading.Timer(timeout, _terminate_group, (proc.pid,))
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            stop_group(proc, signal.SIGTERM, 10.0)
            raise
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - t0
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        left_behind = end_leftovers(proc.pid)
        if timeout and wall >= timeout:
            raise TimeoutError(f"{' '.join(command)} took longer than {timeout:.0f} s and was stopped")
        return Measured(command, proc.returncode, wall, usage.ru_utime, usage.ru_stime, sampler.peak,
                        usage.ru_maxrss * 1024, started, sampler.samples, left_behind)
    finally:
        if log:
            out.close()
