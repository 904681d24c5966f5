"""Services on in-process moto, with every resource created from infra/resources.yaml."""
from __future__ import annotations

import pytest
from moto import mock_aws

from care_tracker import wiring
from care_tracker.ports import Mail

REGION = "eu-west-2"


@pytest.fixture(scope="session")
def jwks_server():
    from moto.server import ThreadedMotoServer

    from infra.local.stack import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws(monkeypatch, jwks_server):
    """A fresh moto account with the stack's tables, buckets, user pool and SES identity; the
    environment the functions would get; and services rebuilt against it."""
    with mock_aws():
        from infra.local.provision import provision

        env = provision(region=REGION)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        # In-process moto answers boto3 but not urllib, which the token verifier uses: moto's server, in this
        # process and so on the same backends, serves the pool's signing keys over HTTP.
        monkeypatch.setenv("JWKS_URL", f"{jwks_server}/{env['USER_POOL_ID']}/.well-known/jwks.json")
        wiring.reset()
        yield env
        wiring.reset()


@pytest.fixture
def sent_mail(aws) -> callable:
    """Reads what SES sent, from moto's backend."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    def read() -> list[Mail]:
        backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        return [Mail(to=m.destinations["ToAddresses"][0], subject=m.subject, body=m.body) for m in backend.sent_messages]

    return read
