"""Capabilities load on first use (functions/capabilities.py): a cold start answering GET /me imports
me.py alone, not the other capabilities, nor pydantic; the route table is what the modules declare; and the OpenAPI
document is the same, byte for byte, whatever order the capabilities were loaded in."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _fresh(code: str, **env: str) -> str:
    """Runs `code` in a fresh interpreter (nothing imported yet) and returns its last line of output."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers"), str(ROOT)]), **env})
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout.strip().splitlines()[-1]


ROUTE_ME = """
import json, sys
from chalice.test import Client
from app import app
with Client(app) as client:
    status = client.http.get("/me", headers={"Authorization": "Bearer abc.def.ghi"}).status_code
print(json.dumps({"status": status, "capabilities": sorted(m for m in sys.modules if m.startswith("functions.")),
                  "pydantic": "pydantic" in sys.modules,
                  "sign_in": sorted(m for m in ("care_tracker.services.auth", "care_tracker.adapters.sealed",
                                                "care_tracker.adapters.sign_in_store") if m in sys.modules)}))
"""


def test_answering_me_imports_only_its_own_capability_and_no_pydantic():
    answer = json.loads(_fresh(ROUTE_ME))
    assert answer["status"] == 401  # the request went through the route (and its token check)
    from functions.capabilities import CAPABILITIES

    loaded = {m.removeprefix("functions.") for m in answer["capabilities"]} & set(CAPABILITIES)
    assert loaded == {"me"}, loaded
    assert not answer["pydantic"]  # ~25% of a cold start (issue 9); the bench checks a successful /me too
    assert answer["sign_in"] == []  # checking a token needs none of the sign-in machinery
    assert "functions.rota" not in answer["capabilities"] and "functions.feedback" not in answer["capabilities"]
    assert "functions.openapi" not in answer["capabilities"]


def test_the_route_table_is_what_the_modules_declare():
    written = (ROOT / "functions" / "route_table.py").read_text()
    declared = _fresh("from functions.capabilities import declared, render; import json; print(json.dumps(render(declared())))")
    assert json.loads(declared) == written, "functions/route_table.py is stale: run python -m functions.capabilities"


# The document as it was built before capabilities loaded lazily: every module imported (in app.py's
# old import order, alphabetical; the local stack's own routes after them) and http.ROUTES taken in the
# order they declared their routes.
EAGER = """
import importlib, sys
from care_tracker.config import settings
from functions.capabilities import CAPABILITIES
for name in sorted(CAPABILITIES) + (["local"] if settings().local else []):
    importlib.import_module("functions." + name)
from functions import http, openapi
from functions.capabilities import routes
assert [(s.method, s.path) for s in routes()] == [(s.method, s.path) for s in http.ROUTES]
print(http.json_response(openapi.openapi_document()).body)
"""

# Served by the app, after other capabilities were loaded first, out of that order.
SERVED = """
from chalice.test import Client
from app import app
with Client(app) as client:
    for path in ("/me", "/employer/rota", "/suggestions", "/employers/x"):
        client.http.get(path)
    import sys
    assert {"functions.rota", "functions.feedback", "functions.employers"} <= set(sys.modules)
    print(client.http.get("/openapi.json").body.decode())
"""


def test_the_openapi_document_does_not_depend_on_the_order_capabilities_load_in():
    for local in ("", "1"):  # the local stack adds its own routes, last
        served = _fresh(SERVED, CARE_TRACKER_LOCAL=local)
        assert served == _fresh(EAGER, CARE_TRACKER_LOCAL=local)
        assert json.loads(served)["paths"]["/me"]["get"]["operationId"] == "me"


def test_a_capability_loaded_replaces_its_stubs_with_the_declared_views():
    from app import app
    from functions.capabilities import load

    load("rota")
    entry = app.routes["/employer/rota"]["GET"]
    assert entry.view_function.route_spec.path == "/employer/rota"
    assert entry.view_function.__module__ == "functions.rota"
    from functions import rota

    assert rota.bp.current_app is app  # its views read the request the app is answering
    assert set(app.routes["/employer/rota"]) == {"GET", "POST", "PUT", "PATCH", "DELETE"}  # the rest: 405 fallbacks
