"""The local API server runs the app for one request at a time (as one Lambda instance does): chalice's
`app.current_request` is shared by the server's threads, so without that, a page fetching two things at
once got the other request's query string (a list page asking for 10 PAs got 50)."""
from __future__ import annotations

import json
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from chalice import Chalice
from chalice.config import Config
from chalice.local import LocalDevServer

from infra.local.api_server import handler_class
from infra.local.stack import free_port


def test_concurrent_requests_each_see_their_own_query_string():
    app = Chalice(app_name="concurrency")

    @app.route("/echo")
    def echo():
        asked = app.current_request.query_params["n"]
        time.sleep(0.05)  # long enough for another request to arrive meanwhile
        return {"asked": asked, "seen": app.current_request.query_params["n"]}

    port = free_port()
    server = LocalDevServer(app, Config(chalice_stage="dev"), "127.0.0.1", port, handler_cls=handler_class())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        def ask(n: int) -> dict:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/echo?n={n}", timeout=10) as answer:
                return json.loads(answer.read())

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(ask, range(16)))
    finally:
        server.shutdown()
    assert [a["seen"] for a in answers] == [str(n) for n in range(16)]
    assert all(a["asked"] == a["seen"] for a in answers)
