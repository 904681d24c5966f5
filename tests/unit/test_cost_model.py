"""bench/cost.py: one price table with dates, measured figures used where the benchmarks wrote them."""
from __future__ import annotations

import json

from bench import cost


def test_every_price_has_a_unit_and_a_date():
    for name, (usd, unit, date) in cost.PRICES.items():
        assert usd > 0 and unit and any(ch.isdigit() for ch in date), name


def test_measured_figures_replace_the_targets_and_move_the_bill(tmp_path):
    results = tmp_path / "results.json"
    assert all(f["source"].startswith("target") for f in cost._figures(results).values())
    base = cost.monthly_bill(cost._figures(results))
    results.write_text(json.dumps({"returns": {"save_requests_history_10": 6}, "cold_start": {"first_me_ms": 900.0}}))
    figures = cost._figures(results)
    assert figures["save_requests"] == {"value": 6, "source": "measured (returns.save_requests_history_10)"}
    measured = cost.monthly_bill(figures)
    assert measured["dynamodb"] > base["dynamodb"] and measured["lambda"] > base["lambda"]
    assert measured["cognito_plus_template_tier"] == cost.SCALE["provider_users"] * cost.price("cognito_plus_mau")
