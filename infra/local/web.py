"""The web client and the API on one local address, as CloudFront serves them deployed.

- `/api/...` is passed to the API (`chalice local`) with `/api` stripped, so `/api/me` reaches the
  route `/me` (deployed, Chalice's stage `api` does the same); method, body, headers and status pass
  through unchanged (Host excepted, as CloudFront's AllViewerExceptHostHeader policy does).
- Any other path is a file of build/web/; a path whose last segment has no dot is a page of the
  single-page client and gets index.html (infra/cloudfront/deep-links.js).
- Every answer carries infra.web_hosting.SECURITY_HEADERS (CSP without 'unsafe-inline'); text of
  1 KB or more is gzipped (CloudFront's Compress), so local page weights resemble deployed ones.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from infra.web_hosting import CLIENT_BUILD, SECURITY_HEADERS

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}
mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("application/manifest+json", ".webmanifest")


def handler(root: Path, api_base: str) -> type[BaseHTTPRequestHandler]:
    api = urlsplit(api_base)
    root = root.resolve()

    class Site(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet: the API logs its own requests
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's names
            self._dispatch()

        def do_HEAD(self) -> None:  # noqa: N802
            self._dispatch()

        def do_POST(self) -> None:  # noqa: N802
            self._dispatch()

        def do_PUT(self) -> None:  # noqa: N802
            self._dispatch()

        def do_PATCH(self) -> None:  # noqa: N802
            self._dispatch()

        def do_DELETE(self) -> None:  # noqa: N802
            self._dispatch()

        def do_OPTIONS(self) -> None:  # noqa: N802
            self._dispatch()

        def _dispatch(self) -> None:
            if self.path == "/api" or self.path.startswith(("/api/", "/api?")):
                self._proxy()
            elif self.command in ("GET", "HEAD"):
                self._file()
            else:
                self._plain(405, b"Only GET and HEAD reach the client's files.")

        def _proxy(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection = http.client.HTTPConnection(api.hostname, api.port, timeout=120)
            try:
                connection.request(self.command, self.path[len("/api"):] or "/", body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
            except OSError:
                self._plain(502, b'{"code": "api_unreachable", "message": "The API is not answering."}', "application/json")
                return
            finally:
                connection.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _file(self) -> None:
            path = urlsplit(self.path).path
            if "." not in path.rsplit("/", 1)[-1]:
                path = "/index.html"
            file = (root / path.lstrip("/")).resolve()
            if not file.is_file() or root not in file.parents:
                self._plain(404, b"Not found.")
                return
            data = file.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            if len(data) >= 1000 and kind.startswith(COMPRESSIBLE) and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                data = gzip.compress(data, compresslevel=6)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript") else ""))
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")  # revalidate: a rebuilt client shows at once
            self.send_header("Vary", "Accept-Encoding")
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _plain(self, status: int, body: bytes, kind: str = "text/plain; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Site


def serve_web(port: int, api_base: str, root: Path = CLIENT_BUILD) -> tuple[ThreadingHTTPServer, str]:
    """Starts the server in a daemon thread; returns it and its address."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler(root, api_base))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
