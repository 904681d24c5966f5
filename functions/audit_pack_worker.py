"""The audit pack worker (issue 12): Lambda MakeAuditPack, fed by AuditPackQueue through an SQS event
source mapping (infra/package.py), one message at a time. Each message names a pack the API claimed
(employer_id, pack_id, token); services/audit_pack.AuditPackJobs.make builds it and marks it. A
message that raises is reported back as a batch item failure, so SQS retries it after its visibility
timeout; on its third delivery (the queue's maxReceiveCount) the pack is marked failed, and the
message then moves to the dead-letter queue, which alarms.

Locally, infra/local/api_server.py polls the moto queue and calls `handle_records` with the same
records, in the API's process (whose clock /_local/clock sets).
"""
from __future__ import annotations

import json
from typing import Any

from care_tracker.observability import logger, metrics, tracer

MAX_RECEIVES = 3  # AuditPackQueue's RedrivePolicy maxReceiveCount


def handle_records(records: list[dict[str, Any]]) -> dict[str, list]:
    from care_tracker.wiring import audit_pack_jobs

    failures = []
    for record in records:
        try:
            body = json.loads(record["body"])
            receives = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
            outcome = audit_pack_jobs().make(body["employer_id"], body["pack_id"], body["token"],
                                             last_attempt=receives >= MAX_RECEIVES)
            logger.info("audit pack", extra={"pack_id": body["pack_id"], "outcome": outcome, "receives": receives})
            metrics.add_metric(name="AuditPacks", unit="Count", value=1)
        except Exception:
            logger.exception("audit pack not made", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any] | None, context: Any) -> dict[str, list]:
    with tracer().provider.in_subsegment("## make_audit_pack"):
        return handle_records((event or {}).get("Records") or [])
