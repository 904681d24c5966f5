"""Mail sent through SES on the local stack, as served by the stack's outbox (infra/local/outbox.py)."""
from __future__ import annotations

import json
import os
import urllib.request


def sent_mail() -> list[dict[str, str]]:
    url = os.environ["LOCAL_OUTBOX_URL"]
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("the outbox is served on loopback only")
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback, checked above
        return json.load(response)
