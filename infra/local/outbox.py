"""The local stack's outbox: what SES has sent, read from moto's backend in this process (the one
that runs moto's server) and served as JSON on loopback for the API's GET /_local/outbox.

moto's own /moto-api/data.json would do, but it walks every attribute of every stored object and
fails once S3 holds multipart uploads (the exports), so the outbox reads SES's messages directly."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def sent_messages(region: str) -> list[dict[str, str]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return [
        {"to": ", ".join(m.destinations.get("ToAddresses", [])), "subject": m.subject, "body": m.body}
        for m in list(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages)
    ]


def serve_outbox(region: str) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = json.dumps(sent_messages(region)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:  # mail is personal data: never logged
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name="outbox", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
