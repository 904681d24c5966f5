"""The reminder's "no change" links in the deployed configuration (issue 15): the remind job's Lambda
gets LOGIN_URL from the LoginUrl parameter and no PUBLIC_API_URL, so each link is <LoginUrl's
origin>/api/no-change/<token>; CloudFront sends /api/* to the API's stage `api`, where the path
/no-change/<token> is the page. The job runs on moto with exactly that function environment."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from moto import mock_aws

from care_tracker import wiring
from infra import web_hosting
from infra.package import job_function_id
from tests.deploy.test_web_hosting import behaviour_for

REGION = "eu-west-2"
NOVEMBER = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
REMIND = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)  # the December 2026 window runs to the 14th


def _job_environment(sam: dict, name: str) -> dict:
    own = sam["Resources"][job_function_id(name)]["Properties"].get("Environment", {}).get("Variables", {})
    return {**sam["Globals"]["Function"]["Environment"]["Variables"], **own}


def test_the_remind_job_derives_the_links_base_from_login_url_alone(sam):
    env = _job_environment(sam, "remind")
    assert env["LOGIN_URL"] == {"Ref": "LoginUrl"}
    assert "PUBLIC_API_URL" not in env  # else the links would not follow LoginUrl
    assert "LoginUrl" in sam["Parameters"]


@pytest.mark.parametrize("login_url", ["https://care.example.gov.uk/sign-in", "https://d111111abcdef8.cloudfront.net/sign-in",
                                       None])  # None: the parameter's default
def test_the_reminders_no_change_links_point_at_login_urls_origin_under_api(sam, monkeypatch, login_url):
    from chalice.test import Client

    from app import app
    from infra.local.provision import provision
    from tests.integration.test_returns import CARE_HOME
    from tests.support import FixedClock

    login_url = login_url or sam["Parameters"]["LoginUrl"]["Default"]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(login_url))
    with mock_aws():
        local = provision(region=REGION, overrides={"LoginUrl": login_url})  # the stack's resources, on moto
        monkeypatch.delenv("PUBLIC_API_URL", raising=False)
        for key, value in _job_environment(sam, "remind").items():  # the deployed function's environment
            if key in local:
                monkeypatch.setenv(key, local[key] if isinstance(value, dict) else value)
        assert local["LOGIN_URL"] == login_url
        wiring.reset()
        try:
            clock = FixedClock(NOVEMBER)
            monkeypatch.setattr(wiring, "clock", lambda: clock)
            wiring.location_directory().write(
                [{"org_id": "1-100", "name": "Org"}],
                [{"location_id": "1-10", "org_id": "1-100", "name": "Oak House", "postcode": "LS1 1AA",
                  "care_types": ["care_home"], "status": "active", "registered_on": "2020-01-01"}])
            pat = wiring.account_service().create_account(email="pat@example.org", full_name="Pat", roles=["provider_user"],
                                                          org_id="1-100", location_ids=["1-10"])
            from care_tracker.services.auth import Caller

            me = Caller(user_id=pat.user_id, email=pat.email, full_name="Pat", roles=frozenset({"provider_user"}),
                        org_id="1-100", location_ids=("1-10",))
            wiring.returns_service().save(me, "1-10", "2026-11", "care_home", CARE_HOME)
            clock.at = REMIND
            assert wiring.window_jobs().remind(REMIND)["sent"] == 1
            [mail] = [m for m in _sent() if "still missing" in m["subject"]]
            links = re.findall(r"nothing changed\? (\S+)", mail["body"])
            assert len(links) == 1, mail["body"]
            [link] = links
            assert link.startswith(f"{origin}/api/no-change/"), link
            path = urlsplit(link).path
            # CloudFront: /api/* goes, unchanged, to the API whose stage is `api`; the stage strips /api
            behaviour = behaviour_for(sam, path)
            assert behaviour["TargetOriginId"] == web_hosting.API_ORIGIN
            assert sam["Resources"]["RestAPI"]["Properties"]["StageName"] == "api"
            with Client(app) as client:
                page = client.http.get(path.removeprefix("/api"))
            assert page.status_code == 200 and b"Nothing has changed" in page.body, page.body[:500]
        finally:
            wiring.reset()


def _sent() -> list[dict]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return [{"subject": m.subject, "body": m.body} for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages]
