"""A client generated from the served /openapi.json (openapi-python-client) does one journey against
the local stack: log in, /me, save a return (issue 9). The document must be good enough for that."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PROVIDER = "anna.price@example.org"  # the demo import's approver of Harbour Lights (care home 1-2000000004)
CARE_HOME = "1-2000000004"


@pytest.fixture(scope="module")
def generated(api, tmp_path_factory):
    where = tmp_path_factory.mktemp("client")
    (where / "openapi.json").write_text(api.call("GET", "/openapi.json").text)
    (where / "config.yaml").write_text("post_hooks: []\nproject_name_override: ct_client\npackage_name_override: ct_client\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run([str(generator), "generate", "--path", "openapi.json", "--meta", "none", "--config", "config.yaml",
                           "--output-path", "ct_client"], cwd=where, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout, done.stdout  # every operation and model was generated
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module("ct_client")
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == "ct_client" or m.startswith("ct_client.")]:
            del sys.modules[name]


def test_a_generated_client_logs_in_reads_me_and_saves_a_return(api, generated):
    api.token(PROVIDER)  # the account's first login happened (the password book knows its password)
    login = importlib.import_module("ct_client.api.auth.login")
    me = importlib.import_module("ct_client.api.auth.me")
    save_return = importlib.import_module("ct_client.api.returns.save_return")
    models = importlib.import_module("ct_client.models")

    anonymous = generated.Client(base_url=api.base, raise_on_unexpected_status=True)
    tokens = login.sync(client=anonymous, body=models.LoginRequest(email=PROVIDER, password=api.passwords[PROVIDER]))
    # an approver answers with the authenticator app's code (issue 15): the document says a sign-in
    # step answers tokens or the next challenge, so the generated client tells them apart
    assert isinstance(tokens, models.ChallengeResponse) and tokens.challenge == "SOFTWARE_TOKEN_MFA", tokens
    mfa_answer = importlib.import_module("ct_client.api.auth.mfa_answer")
    tokens = mfa_answer.sync(client=anonymous, body=models.MfaCodeRequest(email=PROVIDER, session=tokens.session,
                                                                          code=api.totp(PROVIDER)))
    assert isinstance(tokens, models.TokensResponse), tokens
    client = generated.AuthenticatedClient(base_url=api.base, token=tokens.id_token, raise_on_unexpected_status=True)

    who = me.sync(client=client)
    assert isinstance(who, models.Me) and who.email == PROVIDER and CARE_HOME in who.location_ids
    assert CARE_HOME in [loc.location_id for loc in who.locations] and all(loc.name for loc in who.locations)

    # inside a window far from the other tests' months, so nothing else sees this return
    assert api.call("PUT", "/_local/clock", json={"at": "2031-03-10T10:00:00+00:00"}).status_code == 200
    try:
        saved = save_return.sync(CARE_HOME, "2031-03", "care_home", client=client, body=models.NilReturn(nil_return=True))
        assert isinstance(saved, models.SavedReturnView), saved
        assert saved.nil_return and saved.in_window and saved.version == 1
        stale = save_return.sync_detailed(CARE_HOME, "2031-03", "care_home", client=client,
                                          body=models.NilReturn(nil_return=True, version=7))
        assert stale.status_code == 409 and isinstance(stale.parsed, models.Error) and stale.parsed.code
    finally:
        api.call("PUT", "/_local/clock", json={"at": None})
