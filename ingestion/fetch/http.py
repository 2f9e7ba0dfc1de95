"""The HTTP client of `lvsocial fetch`, on the standard library: separate connect and read timeouts, a User-Agent
naming the project, redirects followed, gzip bodies decoded, and retries with exponential backoff (1 s, 2 s, 4 s, …)
for 5xx, 429 (honouring `Retry-After`), broken connections, bodies cut short and reads that stall.

A body is streamed into a file while it is hashed; a body cut short (fewer bytes than `Content-Length`, a gzip
stream without its end) is an error, never a file."""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import socket
import ssl
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

USER_AGENT = ("lvsocial-fetch/0.1 (+https://github.com/lvsocial/lvsocial; the open-data warehouse of Latvia's "
              "social services)")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 1 << 16


class FetchError(Exception):
    """A request that did not give a usable answer; `reason` says why, `http_status` is the last status seen."""

    def __init__(self, reason: str, *, url: str = "", http_status: int | None = None, headers: dict | None = None,
                 body: bytes = b""):
        super().__init__(reason)
        self.reason, self.url, self.http_status, self.headers = reason, url, http_status, headers or {}
        self.body = body  # the start of an error answer (CKAN explains a 404 in JSON)
        self.transient = False  # True when every try met a passing trouble (5xx, 429, broken, cut short, stalled)


class Retryable(Exception):
    """One attempt failed in a way worth another try (the caller sleeps `delay` seconds unless it is None)."""

    def __init__(self, reason: str, status: int | None = None, delay: float | None = None):
        super().__init__(reason)
        self.reason, self.status, self.delay = reason, status, delay


@dataclass
class Response:
    """A finished download: the URL after redirects, status and headers (lower-case names), and the body, decoded
    from its Content-Encoding, in `path` (or `body` for small answers) with its size and SHA-256."""

    url: str
    status: int
    headers: dict[str, str]
    bytes: int = 0
    sha256: str = ""
    path: Path | None = None
    body: bytes | None = None
    attempts: list[str] = field(default_factory=list)  # what each failed attempt ran into

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class HttpClient:
    """`tries` attempts at most (the first included); the n-th retry waits `backoff * 2**(n-1)` seconds, or what
    Retry-After says (at most `max_wait`). `sleep` is injectable so that tests need not wait."""

    def __init__(self, *, user_agent: str = USER_AGENT, connect_timeout: float = 10.0, read_timeout: float = 60.0,
                 tries: int = 4, backoff: float = 1.0, max_wait: float = 120.0, max_redirects: int = 5,
                 sleep: Callable[[float], None] = time.sleep):
        if tries < 1:
            raise ValueError("tries must be at least 1")
        self.user_agent, self.connect_timeout, self.read_timeout = user_agent, connect_timeout, read_timeout
        self.tries, self.backoff, self.max_wait, self.max_redirects = tries, backoff, max_wait, max_redirects
        self.sleep = sleep

    def get_json(self, url: str) -> tuple[Response, object]:
        """GET a JSON answer (an API call); FetchError when it is not JSON."""
        return self._json("GET", url, None)

    def post_json(self, url: str, payload: dict) -> tuple[Response, object]:
        return self._json("POST", url, payload)

    def download(self, url: str, folder: Path, *, method: str = "GET", payload: dict | None = None) -> Response:
        """Stream the body into a hidden temporary file in `folder` (the caller renames or deletes it)."""
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".part-")
        os.close(fd)
        path = Path(name)
        try:
            response = self._request(method, url, payload, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        response.path = path
        return response

    def _json(self, method: str, url: str, payload: dict | None) -> tuple[Response, object]:
        response = self._request(method, url, payload, None)
        try:
            return response, json.loads((response.body or b"").decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(f"{url} did not answer JSON ({exc}; content type {response.content_type or 'none'})",
                             url=response.url, http_status=response.status, headers=response.headers) from exc

    def _request(self, method: str, url: str, payload: dict | None, path: Path | None) -> Response:
        attempts: list[str] = []
        for attempt in range(1, self.tries + 1):
            try:
                response = self._attempt(method, url, payload, path)
                response.attempts = attempts
                return response
            except Retryable as exc:
                attempts.append(exc.reason)
                if attempt == self.tries:
                    error = FetchError(f"{exc.reason} (gave up after {attempt} tries)", url=url,
                                       http_status=exc.status)
                    error.transient = True
                    raise error from None
                delay = exc.delay if exc.delay is not None else self.backoff * 2 ** (attempt - 1)
                self.sleep(min(delay, self.max_wait))
        raise AssertionError("unreachable")

    def _attempt(self, method: str, url: str, payload: dict | None, path: Path | None) -> Response:
        body = json.dumps(payload).encode("utf-8") if payload is not None else None
        for _ in range(self.max_redirects + 1):
            conn, resp = self._open(method, url, body)
            try:
                headers = {k.lower(): v for k, v in resp.getheaders()}
                if resp.status in REDIRECTS and headers.get("location"):
                    url = urljoin(url, headers["location"])
                    if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                        method, body = "GET", None
                    continue
                if resp.status in RETRY_STATUSES:
                    wait = retry_after(headers.get("retry-after")) if resp.status in (429, 503) else None
                    raise Retryable(f"HTTP {resp.status} from {url}", resp.status, wait)
                if resp.status >= 400:
                    raise FetchError(f"HTTP {resp.status} {resp.reason} from {url}", url=url,
                                     http_status=resp.status, headers=headers, body=_error_body(resp, headers))
                response = Response(url, resp.status, headers)
                self._read_body(resp, response, path)
                return response
            except (OSError, http.client.HTTPException) as exc:
                raise Retryable(_broken(exc, url)) from exc
            finally:
                conn.close()
        raise FetchError(f"more than {self.max_redirects} redirects from {url}", url=url)

    def _open(self, method: str, url: str, body: bytes | None):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"not an http(s) URL: {url}", url=url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        kwargs = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
        conn = cls(parts.hostname, parts.port, timeout=self.connect_timeout, **kwargs)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip", "Accept": "*/*"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            conn.connect()
            conn.sock.settimeout(self.read_timeout)  # connect within connect_timeout; then each read within this
            conn.request(method, target, body=body, headers=headers)
            return conn, conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            if isinstance(exc, (socket.timeout, TimeoutError)):
                raise Retryable(f"timed out connecting to or waiting for {url}") from exc
            raise Retryable(_broken(exc, url)) from exc

    def _read_body(self, resp, response: Response, path: Path | None) -> None:
        """Read, decode and hash the body (into `path`, or into response.body); Retryable when it is cut short."""
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            inflater = zlib.decompressobj()
        elif encoding in ("identity", ""):
            inflater = None
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r} from {response.url}", url=response.url,
                             http_status=response.status)
        digest, received, size = hashlib.sha256(), 0, 0
        chunks: list[bytes] = []
        out = open(path, "wb") if path is not None else None
        try:
            while chunk := resp.read(CHUNK):
                received += len(chunk)
                if inflater is not None:
                    try:
                        chunk = inflater.decompress(chunk)
                    except zlib.error as exc:
                        raise FetchError(f"a broken {encoding} body from {response.url} ({exc})", url=response.url,
                                         http_status=response.status) from exc
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk) if out is not None else chunks.append(chunk)
            expected = response.headers.get("content-length")
            if expected and expected.isdigit() and received != int(expected):
                raise Retryable(f"the body from {response.url} has {received} bytes, not the {expected} of its "
                                "Content-Length (cut short)")
            if inflater is not None:
                if not inflater.eof:
                    raise Retryable(f"the {encoding} body from {response.url} was cut short: its stream ends "
                                    f"without its end ({received} bytes received)")
                rest = inflater.flush()
                digest.update(rest)
                size += len(rest)
                out.write(rest) if out is not None else chunks.append(rest)
        finally:
            if out is not None:
                out.close()
        response.bytes, response.sha256 = size, digest.hexdigest()
        if path is None:
            response.body = b"".join(chunks)


def _error_body(resp, headers: dict[str, str]) -> bytes:
    """The first 64 KB of an error answer, decoded from gzip when it is; empty when it cannot be read."""
    try:
        data = resp.read(1 << 16)
        if headers.get("content-encoding", "").lower() in ("gzip", "x-gzip"):
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
        return data
    except (OSError, http.client.HTTPException, zlib.error):
        return b""


def _broken(exc: BaseException, url: str) -> str:
    if isinstance(exc, http.client.IncompleteRead):
        return (f"the body from {url} was cut short: {len(exc.partial)} bytes received, "
                f"{exc.expected} more expected")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"timed out reading from {url}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {url}"
    return f"broken connection to {url} ({type(exc).__name__}: {exc})"
