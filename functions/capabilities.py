"""The API's capabilities (one module of functions/ each, with its blueprint), loaded on first use.

Every route is registered with Chalice at import, from functions/route_table.py, so API Gateway,
`chalice local` and the local API server route exactly as before; but a route's module (its views
and pydantic models) is imported only when one of its routes is first called. A cold start answering
GET /me then pays for me.py alone, not for the 20 capabilities of the whole API.

Routes are still declared once, with functions.http.route in their module; route_table.py is written
from those declarations (`python -m functions.capabilities`), and a unit test fails when it is stale.
"""
from __future__ import annotations

import importlib
import threading
from typing import Any

from chalice import Chalice

from functions.route_table import TABLE

# Registration order (that of app.routes, which `chalice package` turns into API Gateway's resources).
CAPABILITIES = ("health", "auth", "me", "windows", "locations", "registrations", "accounts", "announcements", "returns",
                "compliance", "enforcement", "exports", "feedback", "commissioners", "employers", "no_change",
                "rota", "timesheets", "holiday", "audit_pack")

_app: Chalice | None = None
_bound: set[str] = set()
_lock = threading.RLock()
_POSITION = {(method, path): i for i, (_, method, path, _, _) in enumerate(TABLE)}


def _stub(capability: str, method: str, path: str, name: str):
    def view(**params: str) -> Any:
        load(capability)
        return _app.routes[path][method].view_function(**params)

    view.__name__ = view.__qualname__ = name
    return view


def install(app: Chalice) -> None:
    """Registers every declared route; each one's module is imported on its capability's first call."""
    global _app
    _app = app
    for capability in CAPABILITIES:
        for owner, method, path, name, content_types in TABLE:
            if owner == capability:
                app.route(path, methods=[method], content_types=list(content_types), name=name)(
                    _stub(capability, method, path, name))


def load(capability: str):
    """Imports the capability's module and puts its real views in place of the stubs."""
    with _lock:
        module = importlib.import_module(f"functions.{capability}")
        if _app is not None and capability not in _bound:
            # The blueprint's routes are built on a scratch app, then each replaces its stub in one
            # assignment: a request routed meanwhile (`chalice local` serves several at once) always
            # finds an entry, never a missing one.
            scratch = Chalice(app_name=f"load-{capability}")
            scratch.register_blueprint(module.bp)
            for owner, method, path, _, _ in TABLE:
                if owner == capability:
                    _app.routes[path][method] = scratch.routes[path][method]
            module.bp._current_app = _app  # what Blueprint.register sets: bp.current_request is the app's
            _bound.add(capability)
        return module


def load_all() -> None:
    """Every capability (the OpenAPI document, tests that look at every route)."""
    for capability in sorted(CAPABILITIES):  # the order app.py imported them in, which ordered the OpenAPI document
        load(capability)


def routes() -> list:
    """Every declared route's RouteSpec (every capability loaded), in the OpenAPI document's order."""
    from functions.http import ROUTES

    load_all()
    return sorted(ROUTES, key=position)


def position(spec) -> int:
    """Where a route comes in the OpenAPI document: its place in the table, whatever order the
    capabilities were loaded in (the local stack's own routes, not in the table, last)."""
    return _POSITION.get((spec.method, spec.path), len(TABLE))


def declared() -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """The table as the modules declare it. Run in a fresh interpreter (the generator, its test): the
    order of http.ROUTES is the order the capabilities are first imported in."""
    from functions.http import ROUTES

    scratch = Chalice(app_name="route-table")
    for capability in sorted(CAPABILITIES):
        scratch.register_blueprint(importlib.import_module(f"functions.{capability}").bp)
    entries = {(method, path): entry for path, methods in scratch.routes.items() for method, entry in methods.items()}
    rows = []
    for spec in ROUTES:
        entry = entries[(spec.method, spec.path)]
        rows.append((entry.view_function.__module__.rsplit(".", 1)[1], spec.method, spec.path, entry.view_name,
                     tuple(entry.content_types)))
    return rows


def render(rows) -> str:
    lines = ['"""Written by `python -m functions.capabilities` from the route declarations; do not edit."""',
             "", "# (capability, method, path, view name, content types), in the OpenAPI document's order", "TABLE = ("]
    lines += [f"    {row!r}," for row in rows]
    return "\n".join([*lines, ")", ""])


if __name__ == "__main__":
    from pathlib import Path

    Path(__file__).with_name("route_table.py").write_text(render(declared()))
