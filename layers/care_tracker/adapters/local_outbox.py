"""Mail sent through SES on the local stack, read back from moto's server (local stack only)."""
from __future__ import annotations

import json
import os
import urllib.request


def sent_mail() -> list[dict[str, str]]:
    endpoint = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:  # noqa: S310 - loopback only
        data = json.load(response)
    messages = data.get("ses", {}).get("Message", [])
    return [
        {"to": ", ".join(m["destinations"].get("ToAddresses", [])), "subject": m["subject"], "body": m["body"]}
        for m in messages
    ]
