"""The web client's hosting in the packaged template (infra/web_hosting.py): S3 behind CloudFront
with origin access control, /api/* to the REGIONAL API, deep links rewritten by a CloudFront
Function (run here with node on sample requests), security headers, UK only, and the direct
execute-api URL closed to anything that did not come through the distribution."""
from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess

import pytest

from infra import web_hosting

NODE = shutil.which("node")

# Loads the function's code as CloudFront does (a script defining `handler`) and calls it on each
# event read from stdin.
NODE_HARNESS = r"""
const vm = require('vm');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const context = {};
vm.createContext(context);
vm.runInContext(input.code, context);
process.stdout.write(JSON.stringify(input.events.map((event) => context.handler(event))));
"""


def distribution(sam: dict) -> dict:
    return sam["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]


def origin(sam: dict, origin_id: str) -> dict:
    return next(o for o in distribution(sam)["Origins"] if o["Id"] == origin_id)


def behaviour_for(sam: dict, path: str) -> dict:
    """The cache behaviour CloudFront picks: the first path pattern that matches (case-sensitive;
    `*` any characters, `?` one), else the default."""
    config = distribution(sam)
    for behaviour in config.get("CacheBehaviors", []):
        if fnmatch.fnmatchcase(path, behaviour["PathPattern"]):
            return behaviour
    return config["DefaultCacheBehavior"]


def viewer_request(uri: str, querystring: dict | None = None) -> dict:
    return {"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "198.51.100.7"},
            "request": {"method": "GET", "uri": uri, "querystring": querystring or {},
                        "headers": {"host": {"value": "d111111abcdef8.cloudfront.net"}}, "cookies": {}}}


def run_function(code: str, events: list[dict]) -> list[dict]:
    done = subprocess.run([NODE, "-e", NODE_HARNESS], input=json.dumps({"code": code, "events": events}),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def function_on(sam: dict, behaviour: dict) -> str | None:
    """The code of the viewer-request CloudFront Function on `behaviour`, if any."""
    for association in behaviour.get("FunctionAssociations", []):
        if association["EventType"] == "viewer-request":
            logical = association["FunctionARN"]["Fn::GetAtt"][0]
            return sam["Resources"][logical]["Properties"]["FunctionCode"]
    return None


# ---------------------------------------------------------------- the bucket and origin access control


def test_client_bucket_is_read_only_by_this_distribution(sam):
    statements = sam["Resources"]["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert allows == [{
        "Sid": "CloudFrontReadsTheClient", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": {"Fn::Sub": ["${Arn}/*", {"Arn": {"Fn::GetAtt": ["WebBucket", "Arn"]}}]},
        "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub":
            "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${WebDistribution}"}}}}]
    assert [s["Sid"] for s in statements if s["Effect"] == "Deny"] == ["DenyInsecureTransport"]
    bucket = sam["Resources"]["WebBucket"]["Properties"]
    assert "WebsiteConfiguration" not in bucket  # a private bucket, not an S3 website
    assert all(bucket["PublicAccessBlockConfiguration"].values())


def test_client_origin_uses_origin_access_control(sam):
    oac = sam["Resources"]["WebOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == ("s3", "always", "sigv4")
    client = origin(sam, web_hosting.CLIENT_ORIGIN)
    assert client["DomainName"] == {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]}
    assert client["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert client["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy origin access identity
    assert "OriginCustomHeaders" not in client  # the API's secret is for the API origin only


# ---------------------------------------------------------------- behaviours


def test_default_behaviour_serves_the_client_over_https_compressed(sam):
    default = distribution(sam)["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == web_hosting.CLIENT_ORIGIN
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["AllowedMethods"] == ["GET", "HEAD"] and default["Compress"] is True
    assert default["CachePolicyId"] == web_hosting.CACHING_OPTIMIZED
    assert distribution(sam)["DefaultRootObject"] == "index.html"


def test_api_behaviour_goes_uncached_to_the_regional_api_with_every_viewer_header_but_host(sam):
    behaviours = distribution(sam)["CacheBehaviors"]
    assert [b["PathPattern"] for b in behaviours] == ["/api/*"]
    api = behaviours[0]
    assert api["TargetOriginId"] == web_hosting.API_ORIGIN
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert api["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    assert api["ViewerProtocolPolicy"] == "https-only"
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert "FunctionAssociations" not in api
    target = origin(sam, web_hosting.API_ORIGIN)
    # Chalice's stage is "api": /api/me reaches the route /me with no origin path.
    assert target["DomainName"] == {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert not target.get("OriginPath")
    assert sam["Resources"]["RestAPI"]["Properties"]["StageName"] == "api"
    assert target["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert target["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]


def test_the_api_is_regional(sam):
    """An edge-optimised API would be a second CloudFront in front of this one."""
    assert sam["Resources"]["RestAPI"]["Properties"]["EndpointConfiguration"] == "REGIONAL"


def test_no_custom_error_responses(sam):
    """They apply to the whole distribution: the API's JSON 403/404 would become index.html."""
    assert not distribution(sam).get("CustomErrorResponses")


# ---------------------------------------------------------------- deep links (the CloudFront Function, run with node)


def test_deep_links_function_is_the_file_on_the_default_behaviour(sam):
    function = sam["Resources"]["DeepLinksFunction"]["Properties"]
    assert function["FunctionCode"] == web_hosting.DEEP_LINKS_JS.read_text()
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0" and function["AutoPublish"] is True
    assert len(function["FunctionCode"].encode()) <= 10 * 1024  # CloudFront Functions' size limit
    assert function_on(sam, distribution(sam)["DefaultCacheBehavior"]) == function["FunctionCode"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize(("path", "served"), [
    ("/", "/index.html"),
    ("/sign-in", "/index.html"),
    ("/sign-in/", "/index.html"),
    ("/returns/2026-12", "/index.html"),
    ("/locations/1-2000000007/returns", "/index.html"),
    ("/index.html", "/index.html"),
    ("/app.css", "/app.css"),
    ("/assets/js/govuk-frontend.min.js", "/assets/js/govuk-frontend.min.js"),
    ("/favicon.ico", "/favicon.ico"),
    # another behaviour: reaches the API as it is, never the function
    ("/api/me", "/api/me"),
    ("/api/returns/2026-12", "/api/returns/2026-12"),
])
def test_what_each_path_is_served_as(sam, path, served):
    behaviour = behaviour_for(sam, path)
    code = function_on(sam, behaviour)
    if path.startswith("/api/"):
        assert behaviour["TargetOriginId"] == web_hosting.API_ORIGIN and code is None
        return
    assert behaviour["TargetOriginId"] == web_hosting.CLIENT_ORIGIN
    [request] = run_function(code, [viewer_request(path)])
    assert request["uri"] == served


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_rewrite_keeps_the_query_string_and_headers():
    event = viewer_request("/sign-in", {"next": {"value": "/returns/2026-12"}})
    [request] = run_function(web_hosting.DEEP_LINKS_JS.read_text(), [event])
    assert request["uri"] == "/index.html"
    assert request["querystring"] == event["request"]["querystring"]
    assert request["headers"] == event["request"]["headers"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_harness_runs_the_code_it_is_given():
    """So the rewrite tests can fail: a function that rewrites nothing is seen to."""
    [request] = run_function("function handler(event) { return event.request; }", [viewer_request("/sign-in")])
    assert request["uri"] == "/sign-in"


# ---------------------------------------------------------------- headers, TLS, UK only, logs


def test_security_headers_policy_on_both_behaviours(sam):
    config = sam["Resources"]["WebSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"] and directives["default-src"] == ["'self'"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert all(item.get("Override") for item in security.values())
    custom = {item["Header"]: item["Value"] for item in config["CustomHeadersConfig"]["Items"]}
    assert {"camera=()", "microphone=()", "geolocation=()"} <= set(custom["Permissions-Policy"].split(", "))
    for behaviour in [distribution(sam)["DefaultCacheBehavior"], *distribution(sam)["CacheBehaviors"]]:
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeaders"}
    # the plain-header form a local server can serve is the same policy
    assert web_hosting.SECURITY_HEADERS["Content-Security-Policy"] == csp
    assert web_hosting.SECURITY_HEADERS["Permissions-Policy"] == custom["Permissions-Policy"]


def test_uk_only(sam):
    assert distribution(sam)["Restrictions"] == {"GeoRestriction": {"RestrictionType": "whitelist", "Locations": ["GB"]}}


def test_tls_1_2_with_a_custom_domain_and_the_default_certificate_without(sam):
    params = sam["Parameters"]
    assert params["SiteCertificateArn"]["Default"] == "" and params["SiteDomainNames"]["Default"] == ""
    assert "us-east-1" in params["SiteCertificateArn"]["AllowedPattern"]
    condition, with_certificate, without = distribution(sam)["ViewerCertificate"]["Fn::If"]
    assert condition == "HasSiteCertificate"
    assert sam["Conditions"]["HasSiteCertificate"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "SiteCertificateArn"}, ""]}]}
    assert with_certificate == {"AcmCertificateArn": {"Ref": "SiteCertificateArn"}, "SslSupportMethod": "sni-only",
                                "MinimumProtocolVersion": "TLSv1.2_2021"}
    assert without == {"CloudFrontDefaultCertificate": True}
    assert distribution(sam)["Aliases"]["Fn::If"][0] == "HasSiteDomainNames"


def test_access_logs_go_to_their_own_expiring_bucket(sam):
    logging = distribution(sam)["Logging"]
    assert logging["Bucket"] == {"Fn::GetAtt": ["WebLogsBucket", "DomainName"]} and logging["IncludeCookies"] is False
    logs = sam["Resources"]["WebLogsBucket"]["Properties"]
    # CloudFront writes its standard logs with an object ACL, which "BucketOwnerEnforced" refuses.
    assert logs["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    assert logs["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] <= 400


# ---------------------------------------------------------------- the execute-api URL is closed to all but CloudFront


def test_only_requests_with_cloudfronts_secret_header_reach_the_api(sam):
    secret = {"Fn::Sub": "{{resolve:secretsmanager:${OriginVerifySecret}:SecretString}}"}
    generated = sam["Resources"]["OriginVerifySecret"]["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32 and generated["ExcludePunctuation"] is True
    added = origin(sam, web_hosting.API_ORIGIN)["OriginCustomHeaders"]
    assert added == [{"HeaderName": "x-origin-verify", "HeaderValue": secret}]
    acl = sam["Resources"]["ApiWebAcl"]["Properties"]
    assert acl["DefaultAction"] == {"Block": {}}
    allows = [r for r in acl["Rules"] if r.get("Action") == {"Allow": {}}]
    assert [r["Statement"] for r in allows] == [{"ByteMatchStatement": {
        "FieldToMatch": {"SingleHeader": {"Name": "x-origin-verify"}}, "PositionalConstraint": "EXACTLY",
        "SearchString": secret, "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}]
    # No GeoMatch on the API: it would judge CloudFront's address, not the viewer's.
    assert "GeoMatchStatement" not in json.dumps(acl)
    logging = next(c["Properties"] for c in sam["Resources"].values() if c["Type"] == "AWS::WAFv2::LoggingConfiguration"
                   and c["Properties"]["ResourceArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]})
    assert {"SingleHeader": {"Name": "x-origin-verify"}} in logging["RedactedFields"]
    assert "{{resolve" not in json.dumps(sam["Outputs"])


# ---------------------------------------------------------------- outputs and the upload set


def test_outputs_say_where_to_upload_and_what_to_invalidate(sam):
    outputs = sam["Outputs"]
    assert outputs["WebBucketName"]["Value"] == {"Ref": "WebBucket"}
    assert outputs["WebDistributionId"]["Value"] == {"Ref": "WebDistribution"}
    condition, own_domain, default = outputs["SiteUrl"]["Value"]["Fn::If"]
    assert condition == "HasSiteDomainNames"
    assert default == {"Fn::Sub": "https://${WebDistribution.DomainName}"}


def test_package_copies_the_client_build(tmp_path):
    source = tmp_path / "build-web"
    (source / "assets").mkdir(parents=True)
    (source / "index.html").write_text("<!doctype html><title>Care Tracker</title>")
    (source / "assets" / "app.css").write_text("body{}")
    (source / ".DS_Store").write_text("")
    out = tmp_path / "out"
    out.mkdir()
    (out / "web").mkdir()
    (out / "web" / "stale.js").write_text("old")
    target = web_hosting.package_client(out, source)
    assert target == out / "web"
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        "assets/app.css", "index.html"]


def test_package_skips_without_a_client_build_and_refuses_one_without_index_html(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    assert web_hosting.package_client(out, tmp_path / "missing") is None
    assert "no client build" in capsys.readouterr().out and not (out / "web").exists()
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "app.css").write_text("")
    with pytest.raises(SystemExit, match="no index.html"):
        web_hosting.package_client(out, tmp_path / "half")


def test_make_package_made_out_web_when_the_client_is_built(out_dir):
    assert (out_dir / "web" / "index.html").is_file() == web_hosting.CLIENT_BUILD.is_dir()
