"""Landing folders for the benchmark: the shipped sample (×1), scaled samples made once by the sample generator
(`python -m ingestion.sample --scale N --out DIR`) and cached in the work folder, and histories of K register
snapshots cut from the monthly ×1 sample."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample" / "landing"
COMPLETE = ".bench-complete"  # written last: a folder without it was cut short and is made again


class BenchError(Exception):
    """A measurement that cannot be made, with the reason in words (printed, recorded, and the run goes on)."""


def generator_supports_scale(python: str = sys.executable) -> bool:
    """True when this checkout's sample generator takes `--scale`."""
    proc = subprocess.run([python, "-m", "ingestion.sample", "--help"], cwd=REPO, capture_output=True, text=True)
    return proc.returncode == 0 and "--scale" in proc.stdout


def scaled(work: Path, scale: int, python: str = sys.executable) -> Path:
    """The ×scale landing: the shipped sample for 1, else generated once into WORK/landings/x<scale>."""
    if scale == 1:
        return SAMPLE
    return generated(work, scale, python=python)


def generated(work: Path, scale: int, python: str = sys.executable, extra: list[str] | None = None,
              name: str | None = None) -> Path:
    """A landing made by `python -m ingestion.sample --scale N` (cached: made again only when incomplete)."""
    out = work / "landings" / (name or f"x{scale}")
    if (out / COMPLETE).exists():
        return out
    if not generator_supports_scale(python):
        raise BenchError("the sample generator of this checkout has no --scale option (`python -m ingestion.sample "
                         f"--scale N --out DIR`, added on branch `scale`), so the ×{scale} landing "
                         f"({name or f'x{scale}'}) cannot be made; only the shipped sample "
                         f"{SAMPLE.relative_to(REPO)} (×1, yearly snapshots) can be measured")
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    command = [python, "-m", "ingestion.sample", "--scale", str(scale), "--out", str(partial), *(extra or [])]
    print(f"  generating the ×{scale} landing once (cached): {' '.join(command[1:])}", flush=True)
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BenchError(f"the sample generator failed (exit {proc.returncode}): "
                         f"{(proc.stderr or proc.stdout).strip()[-2000:]}")
    partial.rename(out)
    (out / COMPLETE).write_text(" ".join(command[1:]) + "\n", encoding="utf-8")
    return out


def describe(landing: Path) -> dict:
    """Files, bytes and register snapshots of a landing folder (to say how much data a figure is about)."""
    from ingestion.landing import scan

    files = [p for p in landing.rglob("*") if p.is_file() and not p.name.startswith(".")]
    snapshots = sorted(scan(landing).register_snapshots())
    return {"path": str(landing), "files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "register_snapshots": len(snapshots), "first_snapshot": snapshots[0] if snapshots else None,
            "last_snapshot": snapshots[-1] if snapshots else None}


def snapshot_files(landing: Path) -> list[Path]:
    """The register snapshot files of a landing folder, oldest first (one file per snapshot date expected)."""
    from ingestion.landing import scan

    found = scan(landing).register_snapshots()
    return [path for key in sorted(found) for path in found[key]]


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)  # same bytes and mtime; nothing writes into a landing folder
    except OSError:
        shutil.copy2(src, dst)


def history(base: Path, k: int, out: Path) -> tuple[Path, Path]:
    """A landing with the first K register snapshots of `base` and all its other files; return (landing, the
    K+1-th snapshot file, to be added by the measurement). Made again each time (links, so it is cheap)."""
    snaps = snapshot_files(base)
    if len(snaps) < k + 1:
        raise BenchError(f"a history of {k} snapshots needs {k + 1} register snapshots; {base} has {len(snaps)}")
    shutil.rmtree(out, ignore_errors=True)
    keep = set(snaps[:k])
    for path in base.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path in snaps and path not in keep:
            continue
        _link_or_copy(path, out / path.relative_to(base))
    return out, snaps[k]
