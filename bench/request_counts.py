"""DynamoDB requests per API request, counted with a botocore event hook on every client the
process creates (PynamoDB's included), against in-process moto with the stack's resources."""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import botocore.session

REGION = "eu-west-2"


class DynamoCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, model, **_kwargs) -> None:
        self.calls[model.name] += 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()


@contextmanager
def hooking_new_clients(hook: Callable[[Any], None]) -> Iterator[None]:
    """Calls `hook(client)` on every botocore client created meanwhile (PynamoDB's included), to
    register event handlers on it."""
    original = botocore.session.Session.create_client

    def create_client(self, *args, **kwargs):
        client = original(self, *args, **kwargs)
        hook(client)
        return client

    botocore.session.Session.create_client = create_client
    try:
        yield
    finally:
        botocore.session.Session.create_client = original


@contextmanager
def counting_dynamodb() -> Iterator[DynamoCounter]:
    counter = DynamoCounter()
    with hooking_new_clients(lambda client: client.meta.events.register("before-call.dynamodb", counter)):
        yield counter


@contextmanager
def local_stack_in_process(jwks_base: str) -> Iterator[dict]:
    """moto in-process with every resource of infra/resources.yaml; JWKS from moto's server."""
    from moto import mock_aws

    with mock_aws():
        from care_tracker import wiring
        from infra.local.provision import provision

        env = provision(region=REGION)
        os.environ.update(env)
        os.environ["JWKS_URL"] = f"{jwks_base}/{env['USER_POOL_ID']}/.well-known/jwks.json"
        wiring.reset()
        yield env
        wiring.reset()


def me_requests() -> dict:
    import re

    from chalice.test import Client
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.server import ThreadedMotoServer
    from moto.ses.models import ses_backends

    from infra.local.stack import free_port

    for key, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGION,
                       "AWS_REGION": REGION, "POWERTOOLS_TRACE_DISABLED": "true"}.items():
        os.environ.setdefault(key, value)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        with counting_dynamodb() as counter, local_stack_in_process(f"http://127.0.0.1:{port}"):
            from care_tracker import wiring

            email = "bench@example.org"
            wiring.account_service().create_account(email=email, full_name="Bench", roles=["provider_user"],
                                                    org_id="1-1", location_ids=[f"1-{i}" for i in range(50)])
            mail = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages[-1]
            temporary = re.search(r"Temporary password: (\S+)", mail.body).group(1)
            challenge = wiring.auth_service().login(email, temporary)
            token = wiring.auth_service().new_password(email, challenge.session, "violet orbit canal mitten").id_token

            from app import app

            with Client(app) as client:
                client.http.get("/me", headers={"Authorization": f"Bearer {token}"})  # warm: JWKS fetched, clients built
                counter.reset()
                response = client.http.get("/me", headers={"Authorization": f"Bearer {token}"})
                # the account (GetItem) and, since issue 9, the organisation's and locations' names (1 BatchGetItem)
                me = {"me_dynamodb_requests": counter.total, "me_dynamodb_calls": dict(counter.calls), "target": 2}
                assert response.status_code == 200, response.body
                # a sign-in: the failure count (lockout) and the account (roles: two-step sign-in or not)
                login = {"headers": {"Content-Type": "application/json"}}
                counter.reset()
                ok = client.http.post("/auth/login", body=json.dumps({"email": email, "password": "violet orbit canal mitten"}),
                                      **login)
                assert ok.status_code == 200, ok.body
                me.update(login_dynamodb_calls=dict(counter.calls), login_target=2)
                counter.reset()
                wrong = client.http.post("/auth/login", body=json.dumps({"email": email, "password": "not the password"}),
                                         **login)
                assert wrong.status_code == 401, wrong.body
                me.update(failed_login_dynamodb_calls=dict(counter.calls))
            return me
    finally:
        server.stop()


def main() -> dict:
    figures = me_requests()
    for key, value in figures.items():
        print(f"requests  {key}: {value}")
    return figures


if __name__ == "__main__":
    main()
