"""The local stack answers everything in API.md's error shape, like the deployed API (issue 9):
methods the server lacks, over-long addresses, paths no route matches, the local-only routes'
out-of-range input, and a 500 that quotes a request id."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def _in_shape(response) -> dict:
    assert response.headers["Content-Type"].startswith("application/json"), (response.status_code, response.text[:200])
    error = response.json()
    assert set(error) == {"code", "message", "details"} and error["message"], error
    return error


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
def test_a_method_the_server_lacks_is_a_405_in_the_error_shape(api, method):
    response = api.call(method, "/health")
    assert response.status_code == 405, response.text[:200]
    assert _in_shape(response)["code"] == "method_not_allowed"


def test_a_very_long_query_string_is_a_414_in_the_error_shape(api):
    response = api.call("GET", "/locations/search?postcode=" + "A" * 70_000)
    assert response.status_code == 414
    assert _in_shape(response)["code"] == "uri_too_long"


def test_the_unknown_route_message_names_the_path_locally(api):
    for path in ("/nowhere", "/a/b/c/d/e/f/g/h/i/j/k/l"):  # within and beyond the local catch-all routes' depth
        response = api.call("GET", path)
        assert response.status_code == 404, response.text
        error = _in_shape(response)
        assert "{" not in error["message"], error
    assert "GET /nowhere" in api.call("GET", "/nowhere").json()["message"]


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+00:00", "1900-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"])
def test_local_jobs_refuse_an_instant_out_of_range(api, at):
    response = api.call("POST", "/_local/jobs/close_window", json={"at": at})
    assert response.status_code == 400, response.text
    assert "2000" in _in_shape(response)["message"]


def test_the_local_clock_takes_a_string_only(api):
    for at in (1_700_000_000, 1.5, True, ["2026-12-09T10:00:00+00:00"]):
        response = api.call("PUT", "/_local/clock", json={"at": at})
        assert response.status_code == 400, (at, response.text)
        _in_shape(response)
    assert api.call("GET", "/windows/current").status_code == 200  # the clock was left alone


def test_a_non_json_content_type_is_a_415_in_the_error_shape(api):
    response = api.call("POST", "/auth/login", data="email=a", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert _in_shape(response)["code"] == "unsupported_media_type"


def test_requests_at_the_same_time_each_read_their_own_query_string(api):
    """The web client sends several requests at once (three on a PA's home): on the local stack each
    must see its own request, as each Lambda invocation does (infra/local/api_server.py runs the app
    for one at a time); before, one request's view could read another's query string and answer 400."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    def search(n: int) -> int:
        if n % 2:
            return requests.get(f"{api.base}/health", timeout=30).status_code
        return requests.get(f"{api.base}/locations/search", params={"postcode": "LS1 1AA"}, timeout=30).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(search, range(240)))
    assert set(statuses) == {200}, sorted(set(statuses))
