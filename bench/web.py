"""Page weight and load time of the web client (issue 10: the first page usable in under 1 s on the
local stack and at most 150 KB transferred, compressed; each later page at most 50 KB).

    python -m bench.run web
    BENCH_WEB_URL=http://127.0.0.1:8000 python -m bench.run web   # a running `make run`
    BENCH_WEB_PAGES="/,/sign-in,/accessibility"                    # the first page, then later pages
    BENCH_WEB_ROOT=<dir>                                           # another client build than build/web/
    BENCH_WEB_LOGIN="<email> <password>"                           # sign in through the form after the
                                                                   # first page; later pages may then be
                                                                   # signed-in ones (/this-month, /bulk)

Chromium (Debian's, /usr/bin/chromium; installed with apt-get when missing and we are root) is
driven by Playwright. Bytes are what crossed the network, headers included (Chrome DevTools
Protocol `encodedDataLength`), so compressed sizes; a cache hit costs nothing. The first page is
loaded in a fresh browser context (empty cache); each later page in the same context, by clicking
a link to it when the page has one (what a person does in a single-page client) or else by
loading its address (warm cache). Timings of a full load are the Navigation Timing figures;
"usable" is the load event, after every script and style has been fetched and run.

Without BENCH_WEB_URL the benchmark serves the client build itself on a free port, as CloudFront
serves it: gzip for text of 1 KB or more (CloudFront's Compress; it would use brotli, which is
smaller still), paths without an extension answered with /index.html (infra/cloudfront/
deep-links.js), infra.web_hosting.SECURITY_HEADERS, and 304 for an unchanged file. /api/* answers
404 there: pages that need the API are measured against BENCH_WEB_URL.
"""
from __future__ import annotations

import email.utils
import gzip
import hashlib
import mimetypes
import os
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from infra.web_hosting import CLIENT_BUILD, SECURITY_HEADERS

FIRST_PAGE_KB, LATER_PAGE_KB, USABLE_MS = 150, 50, 1000
DEFAULT_PAGES = "/,/accessibility"
CHROMIUM = "/usr/bin/chromium"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json")


# ---------------------------------------------------------------- a stand-in for CloudFront + S3


def _handler(root: Path) -> type[BaseHTTPRequestHandler]:
    class Static(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
            self._answer(body=False)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(body=True)

        def _answer(self, *, body: bool) -> None:
            path = self.path.split("?", 1)[0]
            last = path.rsplit("/", 1)[-1]
            if "." not in last and not path.startswith("/api/"):  # the deep-link function
                path = "/index.html"
            file = (root / path.lstrip("/")).resolve()
            if path.startswith("/api/") or not file.is_file() or root.resolve() not in file.parents:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = file.read_bytes()
            etag = '"' + hashlib.md5(data).hexdigest() + '"'  # noqa: S324 - an ETag, as S3's is
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            if len(data) >= 1000 and kind.startswith(COMPRESSIBLE) and "gzip" in self.headers.get("Accept-Encoding", ""):
                data = gzip.compress(data, compresslevel=6)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", email.utils.formatdate(file.stat().st_mtime, usegmt=True))
            self.send_header("Vary", "Accept-Encoding")
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(data)

    return Static


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


# ---------------------------------------------------------------- the browser


def chromium() -> str | None:
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("web: installing Debian's chromium (apt-get install -y chromium) ...")
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=False, capture_output=True)
        found = shutil.which("chromium")
    return found


class Transfer:
    """Bytes received (headers + encoded body) and the span of the network activity, from CDP."""

    def __init__(self, cdp) -> None:
        self.bytes = 0
        self.requests = 0
        self.first: float | None = None
        self.last: float | None = None
        self.pending: set[str] = set()
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", lambda event: self.pending.discard(event["requestId"]))

    def _sent(self, event: dict) -> None:
        self.requests += 1
        self.pending.add(event["requestId"])
        self.first = event["timestamp"] if self.first is None else min(self.first, event["timestamp"])

    def _finished(self, event: dict) -> None:
        self.pending.discard(event["requestId"])
        self.bytes += int(event["encodedDataLength"])
        self.last = event["timestamp"] if self.last is None else max(self.last, event["timestamp"])

    def settle(self, page, quiet_ms: int = 250, limit_ms: int = 10_000) -> None:
        """Waits until no request has been in flight for `quiet_ms`: after a click in a single-page
        client the load state is already "networkidle", so Playwright's own wait returns at once."""
        quiet = waited = 0
        while waited < limit_ms and quiet < quiet_ms:
            page.wait_for_timeout(50)
            waited += 50
            quiet = 0 if self.pending else quiet + 50

    def reset(self) -> None:
        self.bytes, self.requests, self.first, self.last = 0, 0, None, None

    def figures(self) -> dict:
        span = round((self.last - self.first) * 1000) if self.first is not None and self.last is not None else None
        return {"kb": round(self.bytes / 1024, 1), "requests": self.requests, "network_ms": span}


NAVIGATION_TIMING = """() => {
  const [nav] = performance.getEntriesByType('navigation');
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {ttfb_ms: Math.round(nav.responseStart), dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd),
          usable_ms: Math.round(nav.loadEventEnd), first_contentful_paint_ms: paint ? Math.round(paint.startTime) : null};
}"""


def _sign_in(page, transfer: Transfer, login: str) -> dict:
    """Signs in through the client's form, as a person does; figures of the sign-in and its landing page."""
    email, password = login.split(" ", 1)
    transfer.reset()
    link = page.locator('a[href="/sign-in"]').first
    if link.count():
        link.click()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#user-bar").filter(has_text="Signed in as").wait_for()
    transfer.settle(page)
    return {"path": "/sign-in (form)", "how": "form", **transfer.figures(), "title": page.title()}


def measure(base: str, pages: list[str], executable: str, login: str | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    results: dict = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable)
        try:
            context = browser.new_context()
            page = context.new_page()
            csp_violations: list[str] = []
            page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
            transfer = Transfer(context.new_cdp_session(page))
            for index, path in enumerate(pages):
                transfer.reset()
                link = page.locator(f'a[href="{path}"]').first if index else None
                if link is not None and link.count():
                    link.click()
                    transfer.settle(page)
                    how, timing = "link", {}
                else:
                    page.goto(base + path, wait_until="networkidle")
                    how, timing = "load", page.evaluate(NAVIGATION_TIMING)
                figures = {"path": path, "how": how, **transfer.figures(), **timing, "title": page.title()}
                results["first_page" if index == 0 else f"later_page_{index}"] = figures
                if index == 0 and login:
                    results["sign_in"] = _sign_in(page, transfer, login)
            results["csp_violations"] = len(csp_violations)
        finally:
            browser.close()
    return results


def report(results: dict) -> None:
    for name, page in results.items():
        if not isinstance(page, dict):
            continue
        limit = FIRST_PAGE_KB if name == "first_page" else LATER_PAGE_KB
        timing = "".join(f", {key.removesuffix('_ms').replace('_', ' ')} {page[key]} ms"
                         for key in ("ttfb_ms", "first_contentful_paint_ms", "usable_ms", "network_ms")
                         if page.get(key) is not None)
        print(f"web: {name.replace('_', ' ')} {page['path']} ({page['how']}): {page['kb']} KB in {page['requests']} "
              f"requests (budget {limit} KB){timing}")
        over = page["kb"] > limit or (name == "first_page" and (page.get("usable_ms") or 0) >= USABLE_MS)
        if over:
            print(f"web: OVER BUDGET: {name} {page['path']}")
    if results.get("csp_violations"):
        print(f"web: {results['csp_violations']} Content-Security-Policy violations in the console")


def main() -> dict:
    pages = [p.strip() for p in os.environ.get("BENCH_WEB_PAGES", DEFAULT_PAGES).split(",") if p.strip()]
    executable = chromium()
    if executable is None:
        print("web: skipped: no chromium (apt-get install -y chromium)")
        return {"skipped": "no chromium"}
    server = None
    base = os.environ.get("BENCH_WEB_URL", "").rstrip("/")
    if not base:
        root = Path(os.environ.get("BENCH_WEB_ROOT", CLIENT_BUILD))
        if not (root / "index.html").is_file():
            print(f"web: skipped: no client build at {root} (build the web client, or set BENCH_WEB_URL)")
            return {"skipped": f"no client build at {root}"}
        server, base = serve(root)
        print(f"web: serving {root} at {base} as CloudFront would (gzip, deep links, security headers)")
    try:
        started = time.perf_counter()
        results = measure(base, pages, executable, os.environ.get("BENCH_WEB_LOGIN") or None)
        results["served_by"] = "BENCH_WEB_URL" if server is None else "bench static server"
        report(results)
        print(f"web: measured in {time.perf_counter() - started:.1f} s")
        return results
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
