"""Mail through SES. The sender is the verified identity the template creates."""
from __future__ import annotations

import boto3

from care_tracker.ports import Mail


class SesMailer:
    def __init__(self, sender: str, region: str) -> None:
        self._sender = sender
        self._client = boto3.client("ses", region_name=region)

    def send(self, mail: Mail) -> None:
        self._client.send_email(
            Source=self._sender,
            Destination={"ToAddresses": [mail.to]},
            Message={
                "Subject": {"Data": mail.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": mail.body, "Charset": "UTF-8"}},
            },
        )
