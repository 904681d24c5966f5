"""The client's shell: served with the security headers, deep links, the API under /api/, static pages."""
from __future__ import annotations

import requests

from tests.browser.conftest import check


def test_one_address_serves_the_client_and_the_api(web, stack):
    page = requests.get(f"{web}/returns/1-2000000007/2026-12", timeout=10)  # a deep link: index.html
    assert page.status_code == 200 and "<title>Care Tracker</title>" in page.text
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page.text  # no inline scripts: every script is a file
    assert requests.get(f"{web}/api/health", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{stack['api']}/health", timeout=10).json() == {"status": "ok"}  # the API's own address too
    assert requests.get(f"{web}/nothing-here.js", timeout=10).status_code == 404
    unknown = requests.get(f"{web}/api/no-such-route", timeout=10)
    assert unknown.status_code == 404 and unknown.json()["code"]  # the API's JSON, not the client's HTML
    css = requests.get(f"{web}/app.css", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert css.headers["Content-Encoding"] == "gzip" and "GDS Transport" not in css.text


def test_accessibility_statement_and_privacy_notice(page):
    page.goto("/")
    page.get_by_role("link", name="Accessibility statement").click()
    page.get_by_role("heading", name="Accessibility statement for Care Tracker").wait_for()
    assert page.title() == "Accessibility statement - Care Tracker"
    check(page, "accessibility-statement")
    page.get_by_role("link", name="Privacy notice").click()
    page.get_by_role("heading", name="Privacy notice").wait_for()
    assert page.title() == "Privacy notice - Care Tracker"
    check(page, "privacy-notice")
    page.goto("/no-such-page")
    page.get_by_role("heading", name="Page not found").wait_for()
    check(page, "not-found")


def test_the_accessibility_check_can_fail(page):
    """check() is only worth something if axe reports a real violation: an image without alt text."""
    import pytest

    page.goto("/accessibility")
    page.get_by_role("heading", name="Accessibility statement for Care Tracker").wait_for()
    page.evaluate("document.querySelector('main').append(Object.assign(document.createElement('img'), {src: '/assets/images/icon-180.png'}))")
    with pytest.raises(AssertionError, match="image-alt"):
        check(page, "deliberately-broken")


def test_every_module_of_the_client_parses(tmp_path):
    """A syntax error in a page module only shows when that page is opened: check them all."""
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    assert node, "node is needed to build the client"
    modules = sorted((Path(__file__).resolve().parents[2] / "web" / "js").rglob("*.js"))
    assert len(modules) > 8
    for module in modules:
        copy = tmp_path / (module.stem + ".mjs")  # parsed as an ES module
        copy.write_text(module.read_text())
        checked = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True)
        assert checked.returncode == 0, f"{module.name}: {checked.stderr}"


def test_the_banner_prints_the_client_address_first(stack):
    lines = [line for line in stack["log_file"].read_text().splitlines() if line.strip() and not line.startswith("127.0.0.1 - -")]
    banner = next(i for i, line in enumerate(lines) if line.startswith("Care Tracker is running at"))
    assert lines[banner].startswith(f"Care Tracker is running at {stack['web']} ")
    assert lines[banner + 1].strip().startswith(f"API: {stack['api']}")  # the API's own address comes after
