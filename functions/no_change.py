"""The reminder email's "no change" links (services/no_change_links.py): two small server-rendered
pages, no login (the signed link is the authority for this one save).

GET shows last month's figures and one button; it never writes (mail scanners follow links). The
button POSTs a form to the same address, which saves. The pages carry the web client's security
headers (infra/web_hosting.SECURITY_HEADERS, tested equal): no scripts, no inline styles.
A client that asks for JSON (Accept or Content-Type application/json) gets the API's error shape."""
from __future__ import annotations

import html
import json

from chalice import Blueprint, Response

from functions.http import route

bp = Blueprint(__name__)

# The same as infra.web_hosting.SECURITY_HEADERS (tests/unit/test_no_change_pages.py), which is not
# shipped to Lambda; CloudFront adds them deployed too.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                          "microphone=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    # a link page is about one person's return: never kept by a cache, never indexed
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}
FIELD_NAMES = {
    "beds_max_capacity": "Beds: maximum capacity", "beds_occupied": "Beds: occupied",
    "beds_vacant_reserved": "Beds: vacant and reserved", "beds_vacant_accepting": "Beds: vacant and accepting admissions",
    "staff_nurses_direct": "Registered nurses (directly employed)", "staff_care_direct": "Care staff (directly employed)",
    "staff_non_care_direct": "Non-care staff (directly employed)", "staff_nurses_agency": "Registered nurses (agency or bank)",
    "staff_care_agency": "Care staff (agency or bank)", "staff_non_care_agency": "Non-care staff (agency or bank)",
    "staff_absent": "Staff absent", "people_receiving_care": "People receiving care",
    "hours_delivered_last_week": "Hours of care delivered last week", "staff_direct": "Staff (directly employed)",
    "staff_agency": "Staff (agency)", "accepting_new_packages": "Accepting new packages of care",
}
TITLES = {"ready": "Nothing has changed?", "saved": "Return saved", "already_saved": "Already saved"}


def _figures(page) -> str:
    if page.kind == "nil":
        return '<p class="govuk-body">A nil return: the service was supporting nobody.</p>'
    rows = "".join(
        f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{html.escape(FIELD_NAMES.get(k, k))}</dt>'
        f'<dd class="govuk-summary-list__value">{html.escape("Yes" if v is True else "No" if v is False else str(v))}</dd></div>'
        for k, v in page.figures.items())
    return f'<dl class="govuk-summary-list">{rows}</dl>' if rows else ""


def render(page) -> str:
    title = TITLES.get(page.outcome, "This link cannot be used")
    parts = [f'<h1 class="govuk-heading-l">{html.escape(title)}</h1>']
    if page.location_name or page.care_type:
        about = ", ".join(html.escape(x) for x in (page.location_name, page.care_type, page.period) if x)
        parts.append(f'<p class="govuk-caption-m">{about}</p>')
    parts.append(f'<p class="govuk-body">{html.escape(page.message)}</p>')
    if page.outcome == "ready":
        parts.append(f'<h2 class="govuk-heading-m">{html.escape(page.last_period or "")} figures</h2>')
        parts.append(_figures(page))
        # No action: the form posts back to this same address (the link), allowed by form-action 'self'.
        parts.append('<form method="post"><button type="submit" class="govuk-button">Nothing has changed</button></form>')
    elif page.outcome == "saved":
        parts.append(_figures(page))
    return ('<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)} - Care Tracker</title></head>'
            f'<body class="govuk-template__body"><main class="govuk-main-wrapper" id="main-content">{"".join(parts)}'
            "</main></body></html>")


def _wants_json(request) -> bool:
    headers = request.headers
    return "application/json" in (headers.get("content-type") or "") or (
        "application/json" in (headers.get("accept") or "") and "text/html" not in (headers.get("accept") or ""))


def _answer(page) -> Response:
    request = bp.current_request
    if _wants_json(request):
        body = {"outcome": page.outcome, "message": page.message} if page.status < 400 else {
            "code": page.outcome, "message": page.message, "details": {}}
        return Response(body=json.dumps(body), status_code=page.status, headers={"Content-Type": "application/json"})
    return Response(body=render(page), status_code=page.status,
                    headers={"Content-Type": "text/html; charset=utf-8", **PAGE_HEADERS})


@route(bp, "/no-change/{token}", "GET", public=True, tag="returns",
       summary="The reminder email's link: last month's figures and a 'Nothing has changed' button (HTML; changes nothing)")
def no_change_page(token: str):
    from care_tracker.wiring import no_change_links

    return _answer(no_change_links().open(token))


@route(bp, "/no-change/{token}", "POST", public=True, tag="returns",
       content_types=("application/x-www-form-urlencoded", "multipart/form-data", "application/json"),
       summary="The page's button: saves this month's return as 'no change' for the link's user, once (HTML)")
def no_change_save(token: str):
    from care_tracker.wiring import no_change_links

    return _answer(no_change_links().use(token))
