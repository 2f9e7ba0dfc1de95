"""Replacing what readers open by rename: the new version is written beside the old one under a hidden staging
name (`.<name>.<stamp>.tmp`) and renamed over it, so a reader sees the old version or the new one, never a mix.
The published copy, the report and dbt's docs site all swap this way."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def stamp() -> str:
    """A UTC time stamp for staging names, to the microsecond: two runs never share one."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def staging_path(target: Path, when: str | None = None) -> Path:
    """The hidden staging name of `target`, beside it (same file system, so the rename is atomic)."""
    return target.parent / f".{target.name}.{when or stamp()}.tmp"


def swap_in(new: Path, target: Path) -> None:
    """Put `new` where `target` is. A file or a symlink goes in by one atomic rename; a folder by two (the old
    folder aside, the new one in), so for an instant between them there is none, never a mix of both."""
    if new.is_dir() and not new.is_symlink() and target.is_dir() and not target.is_symlink():
        old = target.parent / f".{target.name}.old-{os.getpid()}.tmp"
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)


def write_text(target: Path, text: str) -> None:
    """Write a text file whole: readers see the old content or the new, never a half-written file."""
    staging = staging_path(target)
    staging.write_text(text, encoding="utf-8")
    swap_in(staging, target)


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A new empty folder beside `target` to write the next version into: swapped in whole when the block ends,
    removed (and `target` left as it was) when the block raises."""
    staging = staging_path(target)
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, target)
