"""The archive of everything fetched (docs/inputs.md#the-archive-and-its-manifest): `<archive>/<source>/
<retrieved_at>__<sha256[:12]>.<ext>`, read-only once written, never changed; and `<archive>/manifest.jsonl`, one JSON
line per attempt, appended only. The loader asks it where a landing file came from (`provenance`)."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ARCHIVE = REPO_ROOT / "archive"
ARCHIVE_ENV = "LVSOCIAL_ARCHIVE_DIR"
MANIFEST = "manifest.jsonl"
OUTCOMES = ("new", "unchanged", "failed")


def archive_dir(value: str | os.PathLike | None = None) -> Path:
    """The archive folder: the argument, else $LVSOCIAL_ARCHIVE_DIR, else archive/ in the repository."""
    return Path(value or os.environ.get(ARCHIVE_ENV) or DEFAULT_ARCHIVE).resolve()


@dataclass
class Entry:
    """One line of the manifest: one attempt to fetch one source (the fields are the manifest's, in its order)."""

    source: str
    url: str | None = None  # after redirects
    resource_id: str | None = None
    retrieved_at: str | None = None  # UTC, ISO 8601 with Z
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None  # as the server said; never used to detect change
    bytes: int | None = None
    sha256: str | None = None
    outcome: str = "failed"
    reason: str | None = None
    archive_path: str | None = None  # relative to the archive folder
    landing_path: str | None = None  # absolute


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def append(root: Path, entry: Entry) -> None:
    """Append one line to the manifest (locked, flushed and synced: lines of concurrent fetches never mix)."""
    if entry.outcome not in OUTCOMES:
        raise ValueError(f"outcome {entry.outcome!r} is not one of {OUTCOMES}")
    root.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
    with open(root / MANIFEST, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def entries(root: Path) -> list[Entry]:
    """The manifest's lines, oldest first (none when there is no manifest)."""
    path = root / MANIFEST
    if not path.exists():
        return []
    stat_ = path.stat()
    return list(_entries(str(path), stat_.st_size, stat_.st_mtime_ns))


_CACHE: dict[tuple, tuple[Entry, ...]] = {}


def _entries(path: str, size: int, mtime_ns: int) -> tuple[Entry, ...]:
    key = (path, size, mtime_ns)
    if key not in _CACHE:
        fields = set(Entry.__dataclass_fields__)
        with open(path, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        _CACHE.clear()
        _CACHE[key] = tuple(Entry(**{k: v for k, v in row.items() if k in fields}) for row in rows)
    return _CACHE[key]


def latest_archived(root: Path, source: str) -> Entry | None:
    """The newest version of `source` in the archive (the last `new` line), or None."""
    for entry in reversed(entries(root)):
        if entry.source == source and entry.outcome == "new" and entry.archive_path:
            return entry
    return None


def store(root: Path, source: str, temp: Path, retrieved_at: dt.datetime, sha256: str, ext: str) -> str:
    """Move a checked download into the archive under its final name, read-only; its path relative to `root`."""
    name = f"{retrieved_at.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}__{sha256[:12]}.{ext}"
    final = root / source / name
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        raise FileExistsError(f"{final} is in the archive already; archived files are never replaced")
    os.replace(temp, final)
    os.chmod(final, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return str(final.relative_to(root))


def provenance(path: Path, sha256: str, root: Path | None = None) -> tuple[str | None, str | None]:
    """(URL, retrieval time) of the fetch that gave the landing file at `path` with these bytes; (None, None) for
    a file nobody fetched (dropped by hand, or changed since).

    A file whose bytes are those of an archived download (the register, the CFLA lists) is matched by SHA-256; a
    file written from a download in another form (population, from json-stat2) by its landing path and the bytes
    that download gives again. A file fetched more than once is named by the fetch that first brought it."""
    root = root or archive_dir()
    matches = [e for e in entries(root) if e.outcome in ("new", "unchanged") and e.url and e.sha256]
    if not matches:
        return None, None
    resolved = str(Path(path).resolve())
    same = [e for e in matches if e.sha256 == sha256]
    if not same:
        same = [e for e in matches if e.landing_path == resolved and _landing_sha(root, e) == sha256]
    if not same:
        return None, None
    first = next((e for e in same if e.outcome == "new"), same[0])
    return first.url, first.retrieved_at


def _landing_sha(root: Path, entry: Entry) -> str | None:
    """SHA-256 of the landing file the entry's archived download gives (for sources written in another form)."""
    from ingestion.fetch import landing_form

    archived = root / entry.archive_path if entry.archive_path else None
    if entry.outcome == "unchanged":
        version = next((e for e in entries(root) if e.source == entry.source and e.outcome == "new"
                        and e.sha256 == entry.sha256), None)
        archived = root / version.archive_path if version and version.archive_path else None
    if archived is None or not archived.exists():
        return None
    data = landing_form.landing_bytes(entry.source, archived.read_bytes())
    return hashlib.sha256(data).hexdigest() if data is not None else None
