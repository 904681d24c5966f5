"""The monthly AWS bill at national scale (issue 9): 30,000 locations and 40,000 provider users, at
London (eu-west-2) prices, from the request counts and durations the other benchmarks measure.

    python -m bench.cost          # after the others in `make bench`: it reads bench/results.json

Each figure it needs comes from bench/results.json when the benchmark that measures it has run
(`source: measured`), else from that benchmark's asserted target (`source: target`). Usage per month
(how often people log in, read, save) is the model below, stated once. Every price is in PRICES
with the date it was taken; they are list prices and worth checking before a budget is set.
"""
from __future__ import annotations

import json
from pathlib import Path

# ---- prices: (USD, unit, date). eu-west-2 list prices on demand, no free tier counted except where said.
PRICES: dict[str, tuple[float, str, str]] = {
    "dynamodb_write": (0.7425, "per million write request units (on demand)", "2024-11 price cut, as listed 2025-06"),
    "dynamodb_read": (0.1485, "per million read request units (on demand)", "2024-11 price cut, as listed 2025-06"),
    "dynamodb_storage": (0.2970, "per GB-month", "2025-06"),
    "dynamodb_pitr": (0.2376, "per GB-month of point-in-time recovery", "2025-06"),
    "dynamodb_export": (0.1188, "per GB exported to S3 (daily backup)", "2025-06"),
    "lambda_gb_second": (0.0000166667, "per GB-second (x86_64)", "2025-06"),
    "lambda_request": (0.20, "per million invocations", "2025-06"),
    "api_gateway_rest": (3.70, "per million REST API calls (first 333 million)", "2025-06"),
    "s3_storage": (0.024, "per GB-month, Standard", "2025-06"),
    "s3_put": (0.0053, "per 1,000 PUT/POST/LIST", "2025-06"),
    "s3_get": (0.00042, "per 1,000 GET", "2025-06"),
    "ses_email": (0.10, "per 1,000 emails sent", "2025-06"),
    "scheduler_invocation": (1.00, "per million invocations after 14 million free a month", "2025-06"),
    "waf_acl": (5.00, "per web ACL per month", "2025-06"),
    "waf_rule": (1.00, "per rule per month", "2025-06"),
    "waf_request": (0.60, "per million requests inspected", "2025-06"),
    "cloudwatch_logs_ingest": (0.5985, "per GB ingested", "2025-06"),
    "cloudwatch_logs_store": (0.0315, "per GB-month stored", "2025-06"),
    "cloudwatch_alarm": (0.10, "per standard alarm per month", "2025-06"),
    "cloudwatch_metric": (0.30, "per custom metric per month (EMF)", "2025-06"),
    "cognito_plus_mau": (0.020, "per monthly active user, Plus tier (threat protection), no free tier", "2024-11 tiers, as listed 2025-06"),
    "cognito_essentials_mau": (0.015, "per monthly active user above 10,000, Essentials tier", "2024-11 tiers, as listed 2025-06"),
}

# ---- scale and usage per month (the model; change here)
SCALE = {"locations": 30_000, "provider_users": 40_000, "care_types_per_location": 1.3}
USAGE = {
    "logins_per_user": 3,              # a sign-in a week or so, more in the window
    "reads_per_login": 20,             # /me, a month's returns, compliance, windows
    "saves_per_return": 1.2,           # a save, sometimes a correction
    "mails_per_user": 2,               # window open, a reminder for some; approvals, welcomes
    "api_log_kb_per_request": 1.2,     # one Powertools line per request, and Lambda's own
    "first_requests_cold": 0.02,       # the share of API requests that meet a cold start
    "returns_item_kb": 1.5, "history_months": 24, "other_tables_gb": 0.5,
}
# ---- what each operation costs, and which benchmark measures it: (results.json section, key, target)
MEASURED = {
    "save_requests": ("returns", "save_requests_history_10", 3),
    "read_requests": ("request_counts", "me_dynamodb_requests", 2),
    "warm_ms": ("commissioners", "target_our_code_ms", 100),
    "cold_ms": ("cold_start", "first_me_ms", 450),
    "count_job_requests": ("compliance", "count_dynamodb_requests", 2_000),
    "count_job_s": ("compliance", "count_wall_s", 120),  # on moto: an upper bound
}
API_MEMORY_GB, JOB_MEMORY_GB = 1.0, 1.0  # .chalice/config.json, infra/package.py JOB_MEMORY_MB
WEB_ACLS, WAF_RULES, ALARMS, METRICS = 2, 3, 8, 6  # infra/package.py: API and user pool ACLs, their rules, alarms


def _figures(results_file: Path = Path(__file__).with_name("results.json")) -> dict[str, dict]:
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    found = {}
    for name, (section, key, target) in MEASURED.items():
        value = (results.get(section) or {}).get(key)
        found[name] = {"value": value, "source": f"measured ({section}.{key})"} if isinstance(value, (int, float)) else {
            "value": target, "source": f"target ({section}.{key} not in results.json)"}
    return found


def price(name: str) -> float:
    return PRICES[name][0]


def monthly_bill(figures: dict[str, dict]) -> dict[str, float]:
    f = {k: v["value"] for k, v in figures.items()}
    users, returns = SCALE["provider_users"], SCALE["locations"] * SCALE["care_types_per_location"]
    saves = returns * USAGE["saves_per_return"]
    logins = users * USAGE["logins_per_user"]
    reads = logins * USAGE["reads_per_login"]
    api_calls = saves + reads + logins * 2  # the login and its new-password/refresh
    # DynamoDB: a save is a transaction (2 units an item, items of 1-2 KB), a read a few strongly consistent reads
    writes = saves * f["save_requests"] * 2 * 2 + f["count_job_requests"] * 2 * 12 / 12
    read_units = reads * f["read_requests"] * 2 + logins * 2
    storage_gb = returns * USAGE["history_months"] * USAGE["returns_item_kb"] / 1e6 + USAGE["other_tables_gb"]
    dynamodb = (writes / 1e6 * price("dynamodb_write") + read_units / 1e6 * price("dynamodb_read")
                + storage_gb * (price("dynamodb_storage") + price("dynamodb_pitr")) + storage_gb * 30 * price("dynamodb_export"))
    cold = api_calls * USAGE["first_requests_cold"]
    api_seconds = (api_calls - cold) * f["warm_ms"] / 1000 + cold * f["cold_ms"] / 1000
    # daily jobs, the hourly feedback check, follow_up_archives every 15 minutes, the window's daily runs
    job_runs = 30 * 7 + 24 * 30 + 4 * 24 * 30 + 12 * 3
    job_seconds = job_runs * 5 + 30 * f["count_job_s"]
    lambda_cost = ((api_seconds * API_MEMORY_GB + job_seconds * JOB_MEMORY_GB) * price("lambda_gb_second")
                   + (api_calls + job_runs) / 1e6 * price("lambda_request"))
    mails = users * USAGE["mails_per_user"]
    backup_gb = storage_gb * 35  # kept 35 days
    s3 = backup_gb * price("s3_storage") + (30 * 20 + 1_000) / 1000 * price("s3_put") + 5_000 / 1000 * price("s3_get")
    log_gb = api_calls * USAGE["api_log_kb_per_request"] / 1e6
    return {
        "dynamodb": dynamodb,
        "lambda": lambda_cost,
        "api_gateway": api_calls / 1e6 * price("api_gateway_rest"),
        "s3": s3,
        "ses": mails / 1000 * price("ses_email"),
        "scheduler": max(0.0, job_runs - 14e6) / 1e6 * price("scheduler_invocation"),
        "waf": WEB_ACLS * price("waf_acl") + WAF_RULES * price("waf_rule") + (api_calls + logins * 3) / 1e6 * price("waf_request"),
        "cloudwatch": (log_gb * price("cloudwatch_logs_ingest") + log_gb * 3 * price("cloudwatch_logs_store")
                       + ALARMS * price("cloudwatch_alarm") + METRICS * price("cloudwatch_metric")),
        "cognito_plus_template_tier": users * price("cognito_plus_mau"),
    }


def main() -> dict:
    figures = _figures()
    lines = {k: round(v, 2) for k, v in monthly_bill(figures).items()}
    total = round(sum(lines.values()), 2)
    users = SCALE["provider_users"]
    per_user = total / users
    # Threat protection (AdvancedSecurityMode ENFORCED: compromised credentials, adaptive sign-in) needs
    # Plus, so Plus is also the cheapest tier that keeps the template's security features; Essentials
    # (MFA and the password policy, no threat protection) would be this instead:
    essentials = round(max(0, users - 10_000) * price("cognito_essentials_mau"), 2)
    result = {
        "scale": SCALE, "usage": USAGE, "figures": figures, "monthly_usd": lines, "total_usd": total,
        "per_provider_user_usd": round(per_user, 4),
        "cognito_cheapest_keeping_security": {"tier": "PLUS", "usd": lines["cognito_plus_template_tier"],
                                              "essentials_without_threat_protection_usd": essentials},
        # The employers' side (issue 11) is not built on this branch: its own line, estimated at the
        # providers' cost per user for 70,000 employers and their PAs signing in, until measured.
        "employers_side_estimate_usd": {"accounts": 70_000, "usd": round(per_user * 70_000, 2), "source": "estimate"},
        "prices": {k: {"usd": v[0], "unit": v[1], "date": v[2]} for k, v in PRICES.items()},
    }
    for name, usd in lines.items():
        print(f"cost  {name}: ${usd:,.2f} a month")
    print(f"cost  total: ${total:,.2f} a month (${per_user:.3f} a provider user); Cognito Essentials instead: ${essentials:,.2f}")
    return result


if __name__ == "__main__":
    main()
