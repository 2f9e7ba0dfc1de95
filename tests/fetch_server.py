"""A real local HTTP server for the fetch tests, imitating data.gov.lv's CKAN (package_show, resource downloads)
and the statistics bureau's PxWeb (POST a query, json-stat2 or CSV back). Each route answers from a list of replies
in turn (the last one repeats), so a test can serve 503, 503, then the file; a reply can be gzip-encoded, cut short
of its Content-Length, stalled mid-body or an HTML page. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CKAN_BASE = "/dati"
PXWEB_BASE = "/api/v1/lv"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    gzip: bool = False  # Content-Encoding: gzip
    cut_to: int | None = None  # send only this many body bytes, then close (Content-Length says the full size)
    stall: float | None = None  # send half the body, then wait this long before the rest
    content_type: str = "application/octet-stream"


class PublisherServer:
    def __init__(self):
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[tuple[str, str, dict, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def _answer(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((method, self.path, dict(self.headers), body))
                replies = server.routes.get((method, self.path))
                if not replies:
                    reply = Reply(404, b'{"success": false, "error": {"message": "Not found"}}',
                                  content_type="application/json")
                else:
                    reply = replies.pop(0) if len(replies) > 1 else replies[0]
                payload = gzip.compress(reply.body, mtime=0) if reply.gzip else reply.body
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(payload)))
                if reply.gzip:
                    self.send_header("Content-Encoding", "gzip")
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                if reply.cut_to is not None or reply.stall is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                if reply.cut_to is not None:
                    self.wfile.write(payload[:reply.cut_to])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if reply.stall is not None:
                    half = len(payload) // 2
                    self.wfile.write(payload[:half])
                    self.wfile.flush()
                    time.sleep(reply.stall)
                    with contextlib.suppress(OSError):  # the client may have given up
                        self.wfile.write(payload[half:])
                    self.close_connection = True
                    return
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def portal(self) -> str:
        return self.url + CKAN_BASE

    @property
    def pxweb(self) -> str:
        return self.url + PXWEB_BASE

    def start(self) -> PublisherServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, method: str, path: str, *replies: Reply) -> None:
        self.routes[(method, path)] = list(replies)

    # --- CKAN -------------------------------------------------------------------------------------------------

    def package(self, package: str, resources: list[dict]) -> None:
        """package_show for `package` listing `resources` (dicts with id, name, format, and optionally created)."""
        result = {"id": package, "name": package, "metadata_modified": "2026-01-01T00:00:00",
                  "resources": [{"id": r["id"], "name": r["name"], "format": r.get("format", "JSON"),
                                 "mimetype": None, "last_modified": None, "created": r.get("created", ""),
                                 "size": None, "url": self.download_url(package, r["id"], r["name"])}
                                for r in resources]}
        self.route("GET", f"{CKAN_BASE}/api/3/action/package_show?id={package}",
                   Reply(body=json.dumps({"success": True, "result": result}).encode(),
                         content_type="application/json"))

    def download_url(self, package: str, resource: str, name: str) -> str:
        return f"{self.portal}/dataset/{package}/resource/{resource}/download/{name}"

    def serve_file(self, package: str, resource: str, name: str, *replies: Reply) -> None:
        self.route("GET", f"{CKAN_BASE}/dataset/{package}/resource/{resource}/download/{name}", *replies)

    def ckan_source(self, package: str, resource: str, name: str, fmt: str, *replies: Reply) -> None:
        """A package with one resource `name`, downloading with `replies`."""
        self.package(package, [{"id": resource, "name": name, "format": fmt}])
        self.serve_file(package, resource, name, *replies)

    # --- PxWeb ------------------------------------------------------------------------------------------------

    def pxweb_table(self, table: str, *replies: Reply) -> None:
        self.route("POST", f"{PXWEB_BASE}/{table}", *replies)


def jsonstat2(areas: list[tuple[str, str]], years: list[str], values: dict[tuple[int, int], int | None],
              order: tuple[str, ...] = ("INDICATOR", "AREA", "TIME")) -> bytes:
    """A json-stat2 dataset of population by area × year (one indicator), its dimensions in `order` (PxWeb's is
    indicator, area, time; another order shows that the reader follows `id` and `size`)."""
    dims = {"AREA": {"label": "Teritoriālā vienība", "category": {
                "index": {c: i for i, (c, _) in enumerate(areas)}, "label": dict(areas)}},
            "INDICATOR": {"label": "Rādītājs", "category": {"index": {"POP": 0},
                                                            "label": {"POP": "Iedzīvotāju skaits gada sākumā"}}},
            "TIME": {"label": "Laika periods", "category": {"index": {y: i for i, y in enumerate(years)},
                                                            "label": {y: y for y in years}}}}
    sizes = {"AREA": len(areas), "TIME": len(years), "INDICATOR": 1}
    cells = []

    def walk(depth: int, at: dict):
        if depth == len(order):
            cells.append(values.get((at["AREA"], at["TIME"])))
            return
        for i in range(sizes[order[depth]]):
            walk(depth + 1, {**at, order[depth]: i})

    walk(0, {})
    doc = {"class": "dataset", "version": "2.0", "label": "Iedzīvotāju skaits", "source": "CSP",
           "id": list(order), "size": [sizes[d] for d in order], "dimension": {d: dims[d] for d in order},
           "value": cells}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
