"""`chalice local` with every answer in the API's JSON error shape.

chalice local's HTTP server answers some requests itself, before the app sees them: an unknown
method (TRACE) is http.server's HTML 501 page, a request line over 64 KiB its HTML 414, a path no
route matches chalice's own `{"message": "Missing Authentication Token"}`. Deployed, API Gateway's
gateway responses (infra/resources.yaml) put its own answers in the same shape.

It also runs the app for one request at a time, as one Lambda instance does: chalice keeps the request
in `app.current_request`, shared by the server's threads, so two requests at once (a page fetching two
things together) could read each other's query string or body (chalice issue 759).

    python -m infra.local.api_server --host 127.0.0.1 --port 8000 [--stage dev]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import uuid
from http import HTTPStatus
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_ONE_AT_A_TIME = threading.Lock()

# What a person can do about each answer the server gives itself.
_ANSWERS = {
    400: ("bad_request", "The request could not be read: check how it was sent."),
    405: ("method_not_allowed", "This method is not offered by the API; the routes and their methods are listed at /openapi.json."),
    414: ("uri_too_long", "The address is too long: send fewer or shorter query parameters."),
    431: ("headers_too_large", "The request's headers are too large."),
}


def error_body(status: int, request_id: str) -> tuple[int, bytes]:
    # http.server says 501 for a method it has no handler for; to a client that is a method not allowed.
    status = 405 if status == 501 else status
    code, message = _ANSWERS.get(status, ("bad_request", HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_
                                          else "The request could not be handled."))
    return status, json.dumps({"code": code, "message": message, "details": {"request_id": request_id}}).encode()


def handler_class():
    from chalice.local import ChaliceRequestHandler

    class JsonAnswers(ChaliceRequestHandler):
        def _one_at_a_time(self) -> None:
            with _ONE_AT_A_TIME:  # connections are still accepted side by side; the app runs one at a time
                ChaliceRequestHandler._generic_handle(self)

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _one_at_a_time  # noqa: N815 - http.server's names

        def send_error(self, code, message=None, explain=None):  # noqa: ARG002 - http.server's signature
            status, body = error_body(code, str(uuid.uuid4()))
            self.close_connection = True
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if status == 405:
                self.send_header("Allow", "GET, POST, PUT, PATCH, DELETE")
            self.send_header("Connection", "close")
            self.end_headers()
            if getattr(self, "command", None) != "HEAD":
                self.wfile.write(body)

        def _send_error_response(self, error) -> None:
            from chalice.local import ForbiddenError

            request_id = error.headers.get("x-amzn-RequestId") or str(uuid.uuid4())
            if isinstance(error, ForbiddenError):  # no route matched (the app has no authorizers)
                path = self.path.split("?", 1)[0]
                body = json.dumps({"code": "unknown_route", "details": {"request_id": request_id},
                                   "message": f"There is no route {self.command} {path}. The routes are listed at /openapi.json."})
                self._send_http_response(404, {"Content-Type": "application/json"}, body.encode())
                return
            status, body = error_body(error.CODE, request_id)
            self._send_http_response(status, {"Content-Type": "application/json"}, body)

    return JsonAnswers


def poll_audit_packs(url: str, stop: threading.Event | None = None) -> None:
    """What Lambda's SQS event source mapping does deployed: receive from AuditPackQueue (moto), hand
    the records to the worker's handler, delete those it did not report as failed (the others come
    back after the queue's visibility timeout and, after maxReceiveCount, move to its dead-letter
    queue). In this process, beside the API (not under its one-request lock: a pack takes a while,
    and the worker never reads app.current_request), so /_local/clock applies to it too."""
    import time

    import boto3

    from functions.audit_pack_worker import handle_records

    sqs = boto3.client("sqs")
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1,
                                      AttributeNames=["ApproximateReceiveCount"])
            for message in got.get("Messages", []):
                record = {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                          "body": message["Body"], "attributes": message.get("Attributes", {}), "eventSource": "aws:sqs"}
                if not handle_records([record])["batchItemFailures"]:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        except Exception:  # moto stopping with the stack, or a moment's hiccup: poll again
            logging.getLogger(__name__).exception("audit pack queue")
            time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="dev")
    args = parser.parse_args(argv)
    for path in (str(ROOT), str(ROOT / "layers")):
        if path not in sys.path:
            sys.path.insert(0, path)

    from chalice.cli.factory import CLIFactory
    from chalice.local import LocalDevServer

    # As `chalice local` does: the app's logs to stdout, the stage's configuration.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    config = CLIFactory(project_dir=str(ROOT), environ=os.environ).create_config_obj(chalice_stage_name=args.stage)
    server = LocalDevServer(config.chalice_app, config, args.host, args.port, handler_cls=handler_class())
    if os.environ.get("AUDIT_PACK_QUEUE_URL"):
        threading.Thread(target=poll_audit_packs, args=(os.environ["AUDIT_PACK_QUEUE_URL"],), daemon=True,
                         name="audit-pack-worker").start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
