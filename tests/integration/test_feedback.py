"""Feedback and suggestions on in-process moto (RULES 2.7; issue 13): voting as one transaction,
listing as one Query (+ one BatchGetItem), the inbox, answers mailed, merging, hiding, forgetting an
author, the 48-hour job, and the export rows."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from care_tracker.errors import BadRequest, Conflict, NotFound
from care_tracker.services.auth import Caller
from tests.support import FixedClock, dynamodb_requests

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SUPPORT = Caller(user_id="support-1", email="support@example.org", full_name="Support", roles=frozenset({"admin"}))


def person(i: int, role: str = "employer") -> Caller:
    return Caller(user_id=f"user-{i}", email=f"person{i}@example.org", full_name=f"Person {i}", roles=frozenset({role}))


@pytest.fixture
def feedback(aws):
    from care_tracker import wiring
    from care_tracker.adapters.feedback_store import DynamoFeedbackStore
    from care_tracker.services.feedback import FeedbackService

    clock = FixedClock(START)
    service = FeedbackService(DynamoFeedbackStore(), wiring.users(), wiring.mailer(), clock, "support@example.org",
                              "https://care.example.org/login")
    service.clock = clock
    return service


def _account(i: int, role: str = "employer") -> Caller:
    from care_tracker import wiring
    from care_tracker.ports import UserRecord

    caller = person(i, role)
    wiring.users().create(UserRecord(user_id=caller.user_id, email=caller.email, full_name=caller.full_name, roles=[role]))
    return caller


def test_votes_order_and_whether_i_voted_in_one_query_and_one_batch_get(feedback):
    a = feedback.post_suggestion(person(1), "Export rota", "As a PDF")
    feedback.clock.at += timedelta(minutes=1)
    b = feedback.post_suggestion(person(2, "provider_user"), "Dark mode", "Easier at night")
    feedback.clock.at += timedelta(minutes=1)
    c = feedback.post_suggestion(person(3, "pa"), "Reminders", "By text")
    for voter, target in [(1, b), (2, b), (3, c), (4, a), (4, c), (5, b)]:
        assert feedback.vote(person(voter), target["suggestion_id"]) == {"suggestion_id": target["suggestion_id"], "voted": True}
    # voting twice changes nothing and answers the same
    assert feedback.vote(person(1), b["suggestion_id"]) == {"suggestion_id": b["suggestion_id"], "voted": True}
    with dynamodb_requests() as calls:
        page = feedback.suggestions(person(4), "votes")
    assert dict(calls) == {"Query": 1, "BatchGetItem": 1}
    assert [(s["title"], s["votes"], s["voted"]) for s in page.suggestions] == [
        ("Dark mode", 3, False), ("Reminders", 2, True), ("Export rota", 1, True)]
    newest = feedback.suggestions(person(4), "newest")
    assert [s["title"] for s in newest.suggestions] == ["Reminders", "Dark mode", "Export rota"]
    # withdraw, twice: the second changes nothing
    assert feedback.withdraw(person(4), c["suggestion_id"])["voted"] is False
    assert feedback.withdraw(person(4), c["suggestion_id"])["voted"] is False
    page = feedback.suggestions(person(4), "votes")
    assert [(s["title"], s["votes"]) for s in page.suggestions] == [("Dark mode", 3), ("Export rota", 1), ("Reminders", 1)]


def test_equal_votes_list_the_older_first_and_pages_follow_on(feedback):
    ids = []
    for i in range(5):
        ids.append(feedback.post_suggestion(person(i), f"Idea {i}", "Something useful")["suggestion_id"])
        feedback.clock.at += timedelta(seconds=1)
    first = feedback.suggestions(person(9), "votes", limit=2)
    assert [s["title"] for s in first.suggestions] == ["Idea 0", "Idea 1"] and first.next_page
    second = feedback.suggestions(person(9), "votes", first.next_page, limit=2)
    third = feedback.suggestions(person(9), "votes", second.next_page, limit=2)
    assert [s["title"] for s in second.suggestions + third.suggestions] == ["Idea 2", "Idea 3", "Idea 4"]
    with pytest.raises(BadRequest):
        feedback.suggestions(person(9), "newest", first.next_page)  # a votes link is not a newest link
    with pytest.raises(BadRequest):
        feedback.suggestions(person(9), "votes", "not-a-link")


def test_a_vote_is_one_transaction(feedback):
    s = feedback.post_suggestion(person(1), "Idea", "Something useful")
    with dynamodb_requests() as calls:
        feedback.vote(person(2), s["suggestion_id"])
        feedback.vote(person(2), s["suggestion_id"])
    assert dict(calls) == {"TransactWriteItems": 2}


def test_merge_moves_votes_and_who_voted_for_both_counts_once(feedback):
    target = feedback.post_suggestion(person(1), "Rota as PDF", "Print it")["suggestion_id"]
    duplicate = feedback.post_suggestion(person(2), "Print the rota", "On paper")["suggestion_id"]
    for voter in (1, 2):
        feedback.vote(person(voter), target)
    for voter in (2, 3, 4):
        feedback.vote(person(voter), duplicate)
    result = feedback.merge(duplicate, target)
    assert result["complete"] and result["votes_left"] == 0
    assert result["target"]["votes"] == 4 and result["duplicate"]["votes"] == 0
    assert result["duplicate"]["merged_into"] == target and not result["duplicate"].get("visible")
    page = feedback.suggestions(person(3))
    assert [(s["suggestion_id"], s["votes"], s["voted"]) for s in page.suggestions] == [(target, 4, True)]
    with pytest.raises(Conflict) as merged:
        feedback.vote(person(5), duplicate)
    assert merged.value.code == "suggestion_merged" and merged.value.details == {"merged_into": target}
    # asking again changes nothing; merging into itself or into a merged one is refused
    assert feedback.merge(duplicate, target)["target"]["votes"] == 4
    with pytest.raises(BadRequest):
        feedback.merge(target, target)
    with pytest.raises(Conflict):
        feedback.merge(target, duplicate)


def test_a_merge_beyond_one_transaction_moves_in_chunks_and_resumes(feedback, monkeypatch):
    from care_tracker.adapters import feedback_store

    target = feedback.post_suggestion(person(1), "Target", "The original")["suggestion_id"]
    duplicate = feedback.post_suggestion(person(2), "Duplicate", "The same")["suggestion_id"]
    for voter in range(130):
        feedback.vote(person(voter), duplicate)
    for voter in range(0, 130, 10):  # 13 of them voted for both
        feedback.vote(person(voter), target)
    monkeypatch.setattr(feedback_store, "MERGE_CHUNKS_PER_CALL", 1)
    store = feedback._store
    monkeypatch.setattr(store, "move_votes", lambda d, t, at: feedback_store.DynamoFeedbackStore.move_votes(
        store, d, t, at, max_chunks=1))
    with dynamodb_requests() as calls:
        first = feedback.merge(duplicate, target)
    assert not first["complete"] and first["votes_left"] > 0
    assert first["target"]["votes"] + first["duplicate"]["votes"] - first["votes_left"] >= 13
    assert calls["TransactWriteItems"] == 2  # closing the duplicate, then one chunk of at most 100 items
    while not (result := feedback.merge(duplicate, target))["complete"]:
        pass
    assert result["target"]["votes"] == 130 and result["duplicate"]["votes"] == 0


def test_status_moves_follow_the_rules_and_hiding_keeps_the_reason(feedback):
    s = feedback.post_suggestion(person(1), "Idea", "Something useful")["suggestion_id"]
    assert feedback.set_status(s, "planned", "For the spring")["team_comment"] == "For the spring"
    assert feedback.set_status(s, "done", "Shipped")["status"] == "done"
    with pytest.raises(Conflict) as refused:
        feedback.set_status(s, "in_progress", None)
    assert refused.value.code == "status_not_allowed"
    assert feedback.set_status(s, "open", "Reopened")["status"] == "open"
    feedback.vote(person(2), s)
    hidden = feedback.hide(SUPPORT, s, "Holds a phone number")
    assert hidden["hidden_reason"] == "Holds a phone number" and hidden["votes"] == 1 and not hidden.get("visible")
    assert feedback.suggestions(person(2)).suggestions == []
    with pytest.raises(NotFound):
        feedback.vote(person(3), s)
    with pytest.raises(NotFound):
        feedback.vote(person(3), "f" * 32)
    with pytest.raises(NotFound):
        feedback.set_status("../x", "open", None)


def test_feedback_inbox_answers_mailed_and_the_48_hour_job_flags_once(feedback, sent_mail):
    sender = _account(1)
    other = _account(2, "provider_user")
    first = feedback.send_feedback(sender, "question", "How do I add a PA?", "/employments")
    feedback.clock.at += timedelta(hours=1)
    second = feedback.send_feedback(other, "something_wrong", "The rota page is blank", None)
    with pytest.raises(BadRequest):
        feedback.send_feedback(sender, "praise", "Great", None)
    with dynamodb_requests() as calls:
        items, _ = feedback.inbox()
    assert dict(calls) == {"Query": 1}
    assert [i["feedback_id"] for i in items] == [first["feedback_id"], second["feedback_id"]]
    assert [i["time_left_seconds"] for i in items] == [47 * 3600, 48 * 3600]
    # private: each sender sees only their own
    assert [f["feedback_id"] for f in feedback.my_feedback(sender)] == [first["feedback_id"]]

    feedback.clock.at = START + timedelta(hours=47)
    assert feedback.flag_unanswered(feedback.clock.at) == {"flagged": []}
    at = START + timedelta(hours=48, minutes=30)
    assert feedback.flag_unanswered(at) == {"flagged": [first["feedback_id"]]}
    assert feedback.flag_unanswered(at) == {"flagged": []}  # run twice: nothing sent twice
    assert feedback.flag_unanswered(at + timedelta(hours=1)) == {"flagged": [second["feedback_id"]]}
    overdue = [m for m in sent_mail() if m.subject.startswith("Feedback waiting")]
    assert [m.to for m in overdue] == ["support@example.org"] * 2

    answered = feedback.answer(SUPPORT, first["feedback_id"], "Go to Employments, then Add a PA.")
    assert answered["status"] == "answered" and answered["answers"][0]["text"].startswith("Go to Employments")
    mail = [m for m in sent_mail() if m.to == sender.email][-1]
    assert "Go to Employments" in mail.body and "How do I add a PA?" in mail.body
    assert [i["feedback_id"] for i in feedback.inbox()[0]] == [second["feedback_id"]]
    assert feedback.close(second["feedback_id"])["status"] == "closed"
    assert feedback.inbox()[0] == []
    with pytest.raises(Conflict):
        feedback.answer(SUPPORT, second["feedback_id"], "Too late")
    with pytest.raises(NotFound):
        feedback.answer(SUPPORT, "0" * 32, "Nobody")
    assert feedback.my_feedback(sender)[0]["answers"][0]["text"] == "Go to Employments, then Add a PA."


def test_a_failed_send_is_retried_by_the_next_run(feedback):
    sent = feedback.send_feedback(person(1), "other", "Hello there", None)

    class Failing:
        def send(self, mail):
            raise RuntimeError("SES is down")

    working, feedback._mailer = feedback._mailer, Failing()
    at = START + timedelta(hours=49)
    with pytest.raises(RuntimeError):
        feedback.flag_unanswered(at)
    feedback._mailer = working
    assert feedback.flag_unanswered(at + timedelta(hours=1)) == {"flagged": [sent["feedback_id"]]}


def test_forget_author_keeps_text_and_votes(feedback):
    pa = person(7, "pa")
    f = feedback.send_feedback(pa, "question", "When is my holiday?", None)
    s = feedback.post_suggestion(pa, "Holiday view", "See what is left")
    feedback.vote(person(8), s["suggestion_id"])
    feedback.vote(pa, s["suggestion_id"])
    assert feedback.forget_author(pa.user_id) == 2
    assert feedback.forget_author(pa.user_id) == 0  # safe to repeat
    (shown,) = feedback.suggestions(person(8)).suggestions
    assert (shown["author_name"], shown["title"], shown["votes"]) == ("a former user", "Holiday view", 2)
    (mine,) = feedback.my_feedback(pa)
    assert (mine["feedback_id"], mine["author_name"], mine["text"]) == (f["feedback_id"], "a former user", "When is my holiday?")


def test_author_rows_hold_their_feedback_with_answers_and_suggestions(feedback):
    author = person(1)
    f = feedback.send_feedback(author, "question", "A question", "/rota")
    feedback.answer(SUPPORT, f["feedback_id"], "An answer")
    feedback.post_suggestion(author, "Idea", "Something useful")
    feedback.post_suggestion(person(2), "Not mine", "Someone else's")
    rows = list(feedback.author_rows(author.user_id))
    assert [(r["record"], r.get("title"), r["text"]) for r in rows] == [
        ("feedback", None, "A question"), ("suggestion", "Idea", "Something useful")]
    assert rows[0]["answers"] == "An answer" and rows[0]["about"] == "/rota"


def test_the_job_flags_with_its_at_and_emits_the_metric(aws, sent_mail, monkeypatch):
    from care_tracker import wiring
    from functions import jobs

    metrics = []
    monkeypatch.setattr(jobs.metrics, "add_metric", lambda **kw: metrics.append(kw))
    sent = wiring.feedback_service().send_feedback(person(1), "question", "Anyone there?", None)
    sent_at = datetime.fromisoformat(sent["created_at"])
    assert jobs.JOBS["flag_unanswered_feedback"].run(sent_at + timedelta(hours=47)) == {"flagged": []}
    at = sent_at + timedelta(hours=48)
    assert jobs.flag_unanswered_feedback(at) == {"flagged": [sent["feedback_id"]]}
    assert jobs.flag_unanswered_feedback(at) == {"flagged": []}
    assert [m["value"] for m in metrics if m["name"] == "FeedbackOverdue"] == [0, 1, 0]
    assert len([m for m in sent_mail() if m.subject.startswith("Feedback waiting")]) == 1


def test_my_data_export_holds_my_feedback_and_suggestions(aws):
    from care_tracker import wiring
    from tests.integration.test_exports import caller_of, download

    me = wiring.account_service().create_account(email="erin@example.org", full_name="Erin", roles=["employer"])
    other = wiring.account_service().create_account(email="omar@example.org", full_name="Omar", roles=["pa"])
    service = wiring.feedback_service()
    sent = service.send_feedback(caller_of(me), "something_wrong", "=SUM(A1) the rota is blank", "/rota")
    service.answer(SUPPORT, sent["feedback_id"], "Fixed now")
    service.post_suggestion(caller_of(me), "Dark mode", "Easier at night")
    service.post_suggestion(caller_of(other), "Not mine", "Omar's")
    rows = download(wiring.export_service().create(caller_of(me), "my_data").download_url)
    assert [r["record"] for r in rows] == ["account", "feedback", "suggestion"]
    assert rows[1]["text"] == "'=SUM(A1) the rota is blank" and rows[1]["answers"] == "Fixed now"
    assert (rows[2]["title"], rows[2]["votes"], rows[2]["status"]) == ("Dark mode", "0", "open")
