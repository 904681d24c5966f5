"""Mail through SES. The sender is the verified identity the template creates (a no-reply address);
Reply-To is the support team's address, so an answer to any mail reaches people who can help."""
from __future__ import annotations

import boto3

from care_tracker.ports import Mail


class SesMailer:
    def __init__(self, sender: str, region: str, reply_to: str | None = None) -> None:
        self._sender = sender
        self._reply_to = [reply_to] if reply_to else []
        self._client = boto3.client("ses", region_name=region)

    def send(self, mail: Mail) -> None:
        self._client.send_email(
            Source=self._sender,
            ReplyToAddresses=self._reply_to,
            Destination={"ToAddresses": [mail.to]},
            Message={
                "Subject": {"Data": mail.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": mail.body, "Charset": "UTF-8"}},
            },
        )
