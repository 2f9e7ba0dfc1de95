"""One source fetched end to end: ask the publisher (CKAN package_show and the resource, or a PxWeb query),
stream the file into the archive's folder while hashing it, check it, then either drop it (`unchanged`: the bytes
of the latest archived version) or move it into the archive read-only and write its landing file (`new`). Every
attempt appends one manifest line; a failed attempt leaves the archive and the landing folder as they were."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.fetch import archive, checks, ckan, pxweb
from ingestion.fetch.catalogue import Catalogue, Source
from ingestion.fetch.http import FetchError, HttpClient, Response
from ingestion.fetch.landing_form import to_landing
from ingestion.landing import DEFAULT_LANDING

SAMPLE_LANDING = DEFAULT_LANDING.resolve()  # the shipped sample: never written by a fetch
PORTAL_ENV, PXWEB_ENV = "LVSOCIAL_PORTAL_URL", "LVSOCIAL_PXWEB_URL"


class LandingRefused(ValueError):
    """The landing folder given may not be written by a fetch (the shipped sample)."""


@dataclass
class Result:
    source: str
    outcome: str  # new | unchanged | failed
    reason: str | None = None
    entry: archive.Entry | None = None
    notes: list[str] = field(default_factory=list)  # checks' findings, retried attempts
    transient: bool = False  # failed on troubles that may pass (worth trying again later)


def bases(catalogue: Catalogue, portal: str | None = None, pxweb_base: str | None = None) -> tuple[str, str]:
    """The CKAN portal and PxWeb bases: the arguments, else $LVSOCIAL_PORTAL_URL / $LVSOCIAL_PXWEB_URL, else the
    catalogue's defaults."""
    return (portal or os.environ.get(PORTAL_ENV) or catalogue.portal,
            pxweb_base or os.environ.get(PXWEB_ENV) or catalogue.pxweb)


def check_landing(landing: Path) -> Path:
    """The landing folder to write, resolved; LandingRefused for the shipped sample (or a folder inside it)."""
    resolved = Path(landing).resolve()
    if resolved == SAMPLE_LANDING or resolved.is_relative_to(SAMPLE_LANDING):
        raise LandingRefused(f"{resolved} is the shipped sample landing folder: fetched files are not written into "
                             "it (give another with --landing or LVSOCIAL_LANDING_DIR)")
    return resolved


def fetch_source(source: Source, client: HttpClient, *, portal: str, pxweb_base: str, landing: Path,
                 archive_root: Path, clock: Callable[[], dt.datetime] = archive.now_utc) -> Result:
    """Fetch one source; never raises for what the publisher or the network does (that is a `failed` result)."""
    landing = check_landing(landing)
    retrieved = clock()
    entry = archive.Entry(source=source.name, retrieved_at=archive.iso(retrieved))
    notes: list[str] = []
    transient = False
    response: Response | None = None
    try:
        if source.kind == "ckan":
            package = ckan.package_show(client, portal, source.package)
            resource, groups = ckan.pick_resource(source, package, portal)
            entry.resource_id = resource.id or None
            response = client.download(resource.url, archive_root / source.name)
            date = groups.get("date") or retrieved.strftime("%Y%m%d")
        else:
            url = pxweb.table_url(pxweb_base, source)
            entry.resource_id = source.table
            response = client.download(url, archive_root / source.name, method="POST",
                                       payload=pxweb.query_body(source))
            date = retrieved.strftime("%Y%m%d")
        notes += [f"retried after: {a}" for a in response.attempts]
        entry.url, entry.http_status = response.url, response.status
        entry.etag, entry.last_modified = response.headers.get("etag"), response.headers.get("last-modified")
        entry.bytes, entry.sha256 = response.bytes, response.sha256
        notes += checks.check(source, response.path, response.content_type)
        latest = archive.latest_archived(archive_root, source.name)
        if latest is not None and latest.sha256 == response.sha256:
            response.path.unlink()
            entry.outcome = "unchanged"
            entry.landing_path, note = _keep_landing(source, latest, archive_root, landing)
            notes += [note] if note else []
        else:
            target = landing / source.landing.format(date=date)
            staged = _stage(target, to_landing(source, response.path.read_bytes()))
            try:
                entry.archive_path = archive.store(archive_root, source.name, response.path, retrieved,
                                                   response.sha256, source.extension)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
            entry.outcome, entry.landing_path = "new", str(target.resolve())
            try:
                os.replace(staged, target)
            except OSError as exc:  # archived, not landed: the next fetch finds it unchanged and writes it
                staged.unlink(missing_ok=True)
                entry.reason = f"archived, but the landing file was not written ({exc}); the next fetch writes it"
    except Exception as exc:  # whatever the publisher, the network or the disk did: a failed line, nothing kept
        if response is not None and response.path is not None:
            response.path.unlink(missing_ok=True)
        entry.outcome = "failed"
        known = isinstance(exc, (checks.CheckError, pxweb.TableError, FetchError))
        entry.reason = getattr(exc, "reason", None) or (str(exc) if known else f"{type(exc).__name__}: {exc}")
        if isinstance(exc, FetchError):
            entry.url = entry.url or exc.url or None
            entry.http_status = entry.http_status or exc.http_status
            transient = exc.transient
    archive.append(archive_root, entry)
    return Result(source.name, entry.outcome, entry.reason, entry, notes, transient)


def _keep_landing(source: Source, latest: archive.Entry, root: Path, landing: Path) -> tuple[str | None, str | None]:
    """For an unchanged source: the landing file of its latest version, written again only when missing (a new
    landing folder); a landing file of other bytes at that name is left alone and reported."""
    name = Path(latest.landing_path).name if latest.landing_path else Path(source.landing).name
    target = landing / Path(source.landing).parent / name
    data = to_landing(source, (root / latest.archive_path).read_bytes())
    if not target.exists():
        return str(_write_landing(target, data)), f"{target.name} was missing from the landing folder: written"
    if hashlib.sha256(target.read_bytes()).hexdigest() != hashlib.sha256(data).hexdigest():
        return None, f"{target} holds other bytes than the latest fetched version: left as it is"
    return str(target), None


def _write_landing(target: Path, data: bytes) -> Path:
    """Write a landing file atomically (a temporary file in its folder, then renamed over the old one)."""
    os.replace(_stage(target, data), target)
    return target.resolve()


def _stage(target: Path, data: bytes) -> Path:
    """`data` in a hidden temporary file next to `target`, synced: renaming it over `target` is then atomic."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(name, 0o644)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def fetch_all(catalogue: Catalogue, names: list[str] | None, client: HttpClient, *, landing: Path,
              archive_root: Path, portal: str | None = None, pxweb_base: str | None = None,
              on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Fetch the sources named (all when none are), each whatever the others do."""
    landing = check_landing(landing)
    portal, pxweb_base = bases(catalogue, portal, pxweb_base)
    results = []
    for source in catalogue.select(names):
        result = fetch_source(source, client, portal=portal, pxweb_base=pxweb_base, landing=landing,
                              archive_root=archive_root)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
