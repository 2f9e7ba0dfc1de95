"""CKAN (data.gov.lv): `package_show` and the pick of a package's resource. The portal's `last_modified`, `size` and
`hash` are not trusted for anything: they are recorded as they come, and change is told by hashing the bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, urljoin, urlsplit

from ingestion.fetch.catalogue import Source
from ingestion.fetch.http import FetchError, HttpClient


@dataclass(frozen=True)
class Resource:
    id: str
    name: str  # the file name the pattern matched (the resource's name, else the last segment of its URL)
    url: str
    created: str
    last_modified: str


def package_url(portal: str, package: str) -> str:
    return f"{portal.rstrip('/')}/api/3/action/package_show?id={quote(package, safe='')}"


def package_show(client: HttpClient, portal: str, package: str) -> dict:
    """The package's `result`; FetchError naming the package when the portal says it has none (success: false)."""
    url = package_url(portal, package)
    try:
        _, doc = client.get_json(url)
    except FetchError as exc:
        answer = _json_or_none(exc.body)
        if isinstance(answer, dict) and answer.get("success") is False:
            raise FetchError(f"the portal has no package {package!r}: {_message(answer)} (HTTP {exc.http_status})",
                             url=url, http_status=exc.http_status) from None
        raise
    if not isinstance(doc, dict) or doc.get("success") is not True or not isinstance(doc.get("result"), dict):
        raise FetchError(f"package_show for {package!r} did not succeed: "
                         f"{_message(doc) if isinstance(doc, dict) else 'not a CKAN answer'}", url=url)
    return doc["result"]


def pick_resource(source: Source, package: dict, portal: str) -> tuple[Resource, dict]:
    """The newest resource (by `created`, else its place in the list) whose format and file name match the
    catalogue entry, and the pattern's groups (`date`); FetchError listing what the package holds otherwise."""
    candidates = []
    for position, res in enumerate(package.get("resources") or []):
        if not isinstance(res, dict) or not res.get("url"):
            continue
        url = urljoin(portal.rstrip("/") + "/", str(res["url"]))
        names = [str(res.get("name") or ""), PurePosixPath(urlsplit(url).path).name]
        fmt = str(res.get("format") or "").strip().lower()
        if source.format and fmt and fmt != source.format.lower():
            continue
        for name in names:
            m = source.matches(name)
            if m:
                resource = Resource(str(res.get("id") or ""), name, url, str(res.get("created") or ""),
                                    str(res.get("last_modified") or ""))
                candidates.append(((resource.created, position), resource, m.groupdict()))
                break
    if not candidates:
        seen = ", ".join(f"{r.get('name')!r} ({r.get('format')})" for r in package.get("resources") or []
                         if isinstance(r, dict)) or "no resources"
        raise FetchError(f"package {package.get('name') or package.get('id')!r} has no {source.format} resource "
                         f"named like {source.name_pattern}: {seen}")
    _, resource, groups = max(candidates, key=lambda c: c[0])
    return resource, groups


def _json_or_none(body: bytes):
    try:
        return json.loads(body.decode("utf-8-sig")) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _message(doc: dict) -> str:
    error = doc.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("__type") or error)
    return str(error or "no error given")
