"""The models share one DynamoDB connection (adapters/tables.py), and so one schema per table:
models on one table each declare only the indexes they query, and the first one used must not
hide another's indexes (a vote before any listing made every later listing fail on a warm Lambda)."""
from __future__ import annotations

import pytest

from care_tracker.services.auth import Caller


def _models():
    import importlib
    import pkgutil

    import care_tracker.adapters as package
    from care_tracker.adapters.tables import Model

    for found in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"care_tracker.adapters.{found.name}")
    pending, models = list(Model.__subclasses__()), []
    while pending:
        model = pending.pop()
        models.append(model)
        pending.extend(model.__subclasses__())
    return models


@pytest.mark.parametrize("order", ["declared", "reversed"])
def test_every_model_finds_its_indexes_whichever_model_of_its_table_came_first(aws, order):
    from care_tracker import wiring

    wiring.reset()
    models = _models() if order == "declared" else _models()[::-1]
    for model in models:
        model._get_connection()
    for model in models:
        meta = model._get_connection().get_meta_table()
        for index in model._indexes.values():
            assert meta.has_index_name(index.Meta.index_name), (model.__name__, index.Meta.index_name)


def test_a_vote_before_any_listing_then_the_listing(aws):
    from care_tracker import wiring

    author = Caller(user_id="u-1", email="a@example.org", full_name="A", roles=frozenset({"employer"}))
    suggestion = wiring.feedback_service().post_suggestion(author, "Export rota", "As a PDF")
    wiring.reset()  # a fresh Lambda whose first request is a vote
    service = wiring.feedback_service()
    assert service.vote(author, suggestion["suggestion_id"])["voted"] is True
    page = service.suggestions(author, "votes")
    assert [(s["title"], s["votes"]) for s in page.suggestions] == [("Export rota", 1)]
