"""Feedback and suggestions (issue 13), on in-process moto with the stack's resources; DynamoDB
requests counted on every client (bench/request_counts.py), through the Chalice app with a real token
(each request also reads the caller's account: 1 GetItem).

1. A vote (`PUT /suggestions/{id}/vote`), a second vote and a withdrawal: 1 TransactWriteItems each.
2. The first page of suggestions by votes and by newest (`GET /suggestions`) with 10,000 stored
   (BENCH_SUGGESTIONS sets how many): 1 Query + 1 BatchGetItem (whether I voted), no Scan.
3. The support inbox (`GET /feedback/inbox`) with 2,000 pieces of feedback, half answered: 1 Query.
Wall times are moto's as much as the service's; the request counts carry over.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

from bench.request_counts import counting_dynamodb, local_stack_in_process
from bench.returns import _batch_write, _forget_connections, _token

SUGGESTIONS = int(os.environ.get("BENCH_SUGGESTIONS") or 10_000)
FEEDBACK = 2_000
START = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)


def _store(env: dict) -> str:
    """Stored straight into the tables, shaped as the service stores them; returns one suggestion's id."""
    from care_tracker.rules.feedback import score, stamp

    suggestions = []
    for i in range(SUGGESTIONS):
        at, votes = START + timedelta(seconds=i), (i * 7919) % 500
        suggestions.append({
            "pk": {"S": f"SUG#{i:032x}"}, "sk": {"S": "SUGGESTION"}, "suggestion_id": {"S": f"{i:032x}"},
            "title": {"S": f"Idea {i}"}, "description": {"S": "Something that would help " * 4},
            "author_id": {"S": f"author-{i % 900}"}, "author_name": {"S": f"Author {i % 900}"},
            "created_at": {"S": stamp(at)}, "status": {"S": "open"}, "votes": {"N": str(votes)},
            "score": {"N": str(score(votes, at))}, "visible": {"S": "visible"}})
    _batch_write(env["SUGGESTIONS_TABLE"], suggestions)
    feedback = []
    for i in range(FEEDBACK):
        item = {"feedback_id": {"S": f"{i:032x}"}, "author_id": {"S": f"author-{i % 900}"},
                "author_name": {"S": f"Author {i % 900}"}, "category": {"S": "question"}, "text": {"S": "How do I?"},
                "created_at": {"S": stamp(START + timedelta(minutes=i))}, "status": {"S": "answered" if i % 2 else "open"},
                "answers": {"L": []}}
        if not i % 2:
            item["inbox"] = {"S": "unanswered"}
        feedback.append(item)
    _batch_write(env["FEEDBACK_TABLE"], feedback)
    top = max(range(SUGGESTIONS), key=lambda i: ((i * 7919) % 500, -i))
    return f"{top:032x}"  # first on the first page, so the page shows my vote


def figures() -> dict:
    from chalice.test import Client
    from moto.server import ThreadedMotoServer

    from infra.local.stack import free_port

    os.environ.pop("AWS_ENDPOINT_URL", None)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    found: dict = {"suggestions_stored": SUGGESTIONS, "feedback_stored": FEEDBACK}
    try:
        _forget_connections()
        with counting_dynamodb() as counter, local_stack_in_process(f"http://127.0.0.1:{port}") as env:
            target = _store(env)
            voter = {"Authorization": f"Bearer {_token('bench-voter@example.org', [], None)}"}
            support = {"Authorization": f"Bearer {_token('bench-support@example.org', [], None, ('admin',))}"}
            from app import app

            def measure(name: str, method: str, path: str, headers: dict) -> dict:
                counter.reset()
                started = time.perf_counter()
                response = client.http.request(method, path, headers=headers)
                found[f"{name}_ms"] = round((time.perf_counter() - started) * 1000, 1)
                assert response.status_code == 200, response.body
                found[f"{name}_dynamodb_calls"] = dict(counter.calls)
                return __import__("json").loads(response.body)

            with Client(app) as client:
                client.http.get("/me", headers=voter)  # warm: JWKS fetched, clients built
                client.http.get("/me", headers=support)
                measure("vote", "PUT", f"/suggestions/{target}/vote", voter)
                measure("vote_again", "PUT", f"/suggestions/{target}/vote", voter)
                measure("withdraw", "DELETE", f"/suggestions/{target}/vote", voter)
                measure("vote_back", "PUT", f"/suggestions/{target}/vote", voter)
                page = measure("first_page_by_votes", "GET", "/suggestions", voter)
                found["first_page_votes"] = [s["votes"] for s in page["suggestions"]][:5]
                found["first_page_voted"] = [s["id"] for s in page["suggestions"] if s["voted"]] == [target]
                measure("first_page_newest", "GET", "/suggestions?order=newest", voter)
                inbox = measure("inbox", "GET", "/feedback/inbox", support)
                found["inbox_page"] = len(inbox["feedback"])
        for key in ("vote", "vote_again", "withdraw", "vote_back"):
            assert found[f"{key}_dynamodb_calls"] == {"GetItem": 1, "TransactWriteItems": 1}, found
        for key in ("first_page_by_votes", "first_page_newest"):
            assert found[f"{key}_dynamodb_calls"] == {"GetItem": 1, "Query": 1, "BatchGetItem": 1}, found
        assert found["first_page_voted"] is True, found
        assert found["inbox_dynamodb_calls"] == {"GetItem": 1, "Query": 1}, found
        found["target"] = "vote: 1 TransactWriteItems; first page: 1 Query + 1 BatchGetItem; inbox: 1 Query (+1 GetItem: the caller)"
        return found
    finally:
        server.stop()


def main() -> dict:
    from bench.run import measured

    return measured("feedback", figures)


if __name__ == "__main__":
    main()
