"""Rules for commissioners (RULES 1.5a): who may ask for a commissioner account, how far a care home
is, how old its figures are, and the vacancy search's filter and order. Pure: no I/O, no clock.

Choices:
- An organisational email is one whose domain is not a free-mail service (`FREE_MAIL_DOMAINS`,
  compared case-insensitively, subdomains included: ``mail.yahoo.co.uk``). Councils and the NHS
  use their own domains (``leeds.gov.uk``, ``nhs.net``); the support team, who decide every
  request, judge the rest.
- Distance is the great-circle (haversine) distance on a sphere of radius 6,371.0088 km (the
  mean Earth radius), in kilometres; within 0.5% of the true ellipsoidal distance, which is
  plenty for "which home is nearest".
- Age: "saved just now" under a minute, then whole minutes, hours (under a day) and days (floor),
  with "1 minute/hour/day" in the singular; a save stamped after `now` (clock skew) is "just now".
- Figures are *out of date* when they were saved before the most recent reporting window to have
  opened by `now` (the window in force, or else the last one): the provider has not updated them
  in that window.
- Vacancies: care homes whose latest care-home return is figures (not nil) with at least
  ``min_vacant`` (default 1) beds vacant and accepting admissions; ``nursing`` True/False keeps
  homes with/without nursing, None both. With an origin, rows with coordinates come first, nearest
  first (ties by name), then the rest by name; without one, by name (then location id).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from care_tracker.rules.reporting_window import previous_window, window_in_force_or_next

EARTH_RADIUS_KM = 6371.0088

FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "rocketmail.com", "hotmail.com",
    "hotmail.co.uk", "outlook.com", "outlook.co.uk", "live.com", "live.co.uk", "msn.com", "windowslive.com", "aol.com",
    "aol.co.uk", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me", "pm.me", "gmx.com", "gmx.co.uk",
    "gmx.net", "mail.com", "yandex.com", "yandex.ru", "zoho.com", "tutanota.com", "tuta.io", "fastmail.com",
    "hushmail.com", "btinternet.com", "btopenworld.com", "sky.com", "virginmedia.com", "ntlworld.com", "blueyonder.co.uk",
    "talktalk.net", "tiscali.co.uk", "plus.com", "uwclub.net", "mail.ru", "qq.com", "163.com",
})


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def free_mail(email: str) -> bool:
    """Whether the address is at a free-mail service (or a subdomain of one)."""
    domain = email_domain(email)
    return any(domain == d or domain.endswith("." + d) for d in FREE_MAIL_DOMAINS)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def centre(points: Iterable[tuple[float, float]]) -> tuple[float, float] | None:
    """Where a postcode is placed: the mean of the coordinates of the locations registered at it
    (they are metres apart), or None when none has coordinates."""
    found = [(lat, lon) for lat, lon in points]
    if not found:
        return None
    return sum(p[0] for p in found) / len(found), sum(p[1] for p in found) / len(found)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def age_text(saved_at: datetime, now: datetime) -> str:
    """How old figures are, in words: "saved 3 days ago"."""
    seconds = (now - saved_at).total_seconds()
    if seconds < 60:
        return "saved just now"
    if seconds < 3600:
        return f"saved {_plural(int(seconds // 60), 'minute')} ago"
    if seconds < 86400:
        return f"saved {_plural(int(seconds // 3600), 'hour')} ago"
    return f"saved {_plural(int(seconds // 86400), 'day')} ago"


def last_window_opened(now: datetime):
    """The most recent reporting window to have opened by `now`."""
    window = window_in_force_or_next(now)
    return window if window.opens_at <= now else previous_window(now)


def out_of_date(saved_at: datetime, now: datetime) -> bool:
    """Saved before the most recent window to have opened by `now`."""
    return saved_at < last_window_opened(now).opens_at


@dataclass(frozen=True)
class Home:
    """A care home's latest care-home return, as the vacancy search sees it."""

    location_id: str
    name: str
    nursing: bool
    kind: str  # figures | nil
    vacant_accepting: int | None
    latitude: float | None
    longitude: float | None


def vacancies(homes: Iterable[Home], *, nursing: bool | None = None, min_vacant: int = 1,
              origin: tuple[float, float] | None = None) -> list[tuple[Home, float | None]]:
    """The homes with vacant beds accepting admissions, filtered and ordered (module docstring),
    each with its distance from `origin` in km (None without an origin or coordinates)."""
    min_vacant = max(1, min_vacant)
    found = []
    for home in homes:
        if home.kind != "figures" or (home.vacant_accepting or 0) < min_vacant:
            continue
        if nursing is not None and home.nursing != nursing:
            continue
        distance = None
        if origin is not None and home.latitude is not None and home.longitude is not None:
            distance = haversine_km(origin[0], origin[1], home.latitude, home.longitude)
        found.append((home, distance))
    found.sort(key=lambda hd: (hd[1] is None, hd[1] if hd[1] is not None else 0.0, hd[0].name, hd[0].location_id))
    return found
