"""The token verifier (care_tracker.adapters.jwt_verifier, on cryptography's RSA alone) against
tokens made with PyJWT: it accepts what PyJWT would with the same options, refuses every forgery
and malformed token with a 401, and never lets a caller's input become a 500."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from care_tracker.adapters.jwt_verifier import CognitoTokenVerifier, JwksUnavailable
from care_tracker.errors import Unauthorized

ISSUER, CLIENT = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_test", "client-1"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY, OTHER = _key(), _key()


def _jwk(key, kid: str) -> dict:
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "alg": "RS256", "use": "sig"}


class Keys:
    """The pool's JWKS over HTTP (what the verifier fetches), counting the fetches."""

    def __init__(self) -> None:
        self.document, self.fetches = {"keys": [_jwk(KEY, "k1")]}, 0
        keys = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                keys.fetches += 1
                body = json.dumps(keys.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"


@pytest.fixture
def keys():
    served = Keys()
    yield served
    served.server.shutdown()


@pytest.fixture
def verifier(keys):
    return CognitoTokenVerifier(keys.url, ISSUER, CLIENT)


def _claims(**changes):
    now = int(time.time())
    claims = {"sub": "user-1", "aud": CLIENT, "iss": ISSUER, "token_use": "id", "iat": now, "exp": now + 3600,
              "email": "a@example.org"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _token(key=KEY, kid="k1", algorithm="RS256", **changes) -> str:
    return jwt.encode(_claims(**changes), key, algorithm=algorithm, headers={"kid": kid})


def _refused(verifier, token, code="invalid_token"):
    with pytest.raises(Unauthorized) as refused:
        verifier.claims(token)
    assert refused.value.code == code
    return refused.value


def test_a_valid_id_token_gives_its_claims_as_pyjwt_does(verifier):
    token = _token()
    expected = jwt.decode(token, KEY.public_key(), algorithms=["RS256"], audience=CLIENT, issuer=ISSUER)
    assert verifier.claims(token) == expected
    assert verifier.claims(_token(aud=["other", CLIENT]))["sub"] == "user-1"  # aud may be a list, as in PyJWT


def test_expiry_is_checked_with_five_seconds_of_leeway(verifier):
    now = int(time.time())
    assert verifier.claims(_token(exp=now - 2))["sub"] == "user-1"
    _refused(verifier, _token(exp=now - 10), "token_expired")


IN_TEN_MINUTES = "in ten minutes"  # resolved when the test runs: a whole suite can take longer than that


@pytest.mark.parametrize("changes", [
    {"aud": "another-client"}, {"aud": ["another-client"]}, {"iss": "https://example.org/other-pool"},
    {"token_use": "access"}, {"iat": IN_TEN_MINUTES}, {"nbf": IN_TEN_MINUTES},
    {"exp": "soon"}, {"exp": True}, {"iat": None}, {"sub": None}, {"sub": 7}, {"token_use": None}, {"aud": None},
], ids=repr)
def test_wrong_or_missing_claims_are_refused(verifier, changes):
    later = int(time.time()) + 600
    _refused(verifier, _token(**{k: later if v == IN_TEN_MINUTES else v for k, v in changes.items()}))


def test_forgeries_are_refused(verifier):
    good = _token()
    _refused(verifier, _token(key=OTHER))  # signed by another key under the pool's key id
    head, payload, signature = good.split(".")
    forged = jwt.utils.base64url_encode(json.dumps(_claims(sub="admin-1")).encode()).decode()
    _refused(verifier, f"{head}.{forged}.{signature}")
    none = jwt.utils.base64url_encode(json.dumps({"alg": "none", "kid": "k1"}).encode()).decode()
    _refused(verifier, f"{none}.{payload}.")
    # HS256 keyed with the public key (algorithm confusion); PyJWT refuses to make one, so by hand
    import hashlib
    import hmac

    hs = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode()).decode()
    secret = json.dumps(_jwk(KEY, "k1")).encode()
    mac = jwt.utils.base64url_encode(hmac.new(secret, f"{hs}.{payload}".encode(), hashlib.sha256).digest()).decode()
    _refused(verifier, f"{hs}.{payload}.{mac}")
    crit = jwt.encode(_claims(), KEY, algorithm="RS256", headers={"kid": "k1", "crit": ["exp"]})
    _refused(verifier, crit)


@pytest.mark.parametrize("token", ["", "abc", "abc.def", "abc.def.ghi", "a.b.c.d", "..", "é.é.é", "e30.e30.", "W10.e30.AA",
                                   "eyJhbGciOiJSUzI1NiJ9.e30.AA", '!!!.###.$$$'])
def test_malformed_tokens_are_a_401_never_a_500(verifier, token):
    _refused(verifier, token)


def test_keys_are_fetched_once_and_again_for_a_new_key_id(keys):
    verifier = CognitoTokenVerifier(keys.url, ISSUER, CLIENT, refetch=0)
    verifier.claims(_token())
    verifier.claims(_token())
    assert keys.fetches == 1
    keys.document = {"keys": [_jwk(KEY, "k1"), _jwk(OTHER, "k2")]}  # the pool rotated its keys
    assert verifier.claims(_token(key=OTHER, kid="k2"))["sub"] == "user-1"
    assert keys.fetches == 2
    _refused(verifier, _token(kid="k3"))  # still unknown after fetching again


def test_unknown_key_ids_fetch_the_keys_at_most_once_a_minute(verifier, keys):
    verifier.claims(_token())
    for n in range(5):  # forged key ids: refused without a fetch each
        _refused(verifier, _token(kid=f"forged-{n}"))
    assert keys.fetches == 1


def test_keys_unreachable_is_our_fault_not_the_callers(keys):
    verifier = CognitoTokenVerifier(keys.url.replace("/.well-known", "/nowhere/.well-known"), ISSUER, CLIENT)
    keys.server.shutdown()
    keys.server.server_close()
    with pytest.raises(JwksUnavailable):
        verifier.claims(_token())


def test_verifying_a_token_does_not_import_pyjwt():
    root = Path(__file__).resolve().parents[2]
    code = "import sys, care_tracker.adapters.jwt_verifier; print('jwt' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                          env={"PYTHONPATH": str(root / "layers")}, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
