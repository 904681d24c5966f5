"""Feedback and suggestions with voting (RULES 2.7; issue 13): for everyone who signs in, and the
support team's inbox. Each route calls one FeedbackService function (services/feedback.py)."""
from __future__ import annotations

from typing import Annotated, Literal

from chalice import Blueprint
from pydantic import BaseModel, Field, StringConstraints

from functions.http import route
from functions.schema import Strict, text

bp = Blueprint(__name__)

# Everyone who signs in to use the service; the support team ("admin") works the other side.
USERS = ("provider_user", "approver", "employer", "pa")
SUPPORT = ("admin",)


Title = text(120, multiline=False, min_length=3)
LongText = text(4000, multiline=True, min_length=3)
Comment = text(2000, multiline=True)
About = text(300, multiline=False)
Id = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class NewFeedback(Strict):
    category: Literal["something_wrong", "question", "other"] = Field(
        description="something_wrong (something is wrong), question (a question) or other")
    text: LongText = Field(description="What happened, or the question (up to 4,000 characters)")
    about: About | None = Field(default=None, description="Optional: the page or route it is about")


class AnswerView(BaseModel):
    text: str
    at: str


class FeedbackView(BaseModel):
    id: str
    category: str
    text: str
    about: str | None
    status: Literal["open", "answered", "closed"]
    created_at: str
    answers: list[AnswerView]
    author_name: str


class InboxItem(FeedbackView):
    time_left_seconds: int = Field(description="What is left of the 48 hours to answer (negative once overdue)")
    overdue: bool


class FeedbackList(BaseModel):
    feedback: list[FeedbackView]


class Inbox(BaseModel):
    feedback: list[InboxItem]
    next_page: str | None


class PageQuery(Strict):
    page: Annotated[str, StringConstraints(max_length=2000)] | None = Field(default=None, description="next_page of the previous answer")


class AnswerRequest(Strict):
    text: LongText = Field(description="Emailed to the sender")


class NewSuggestion(Strict):
    title: Title
    description: LongText


class SuggestionView(BaseModel):
    id: str
    title: str
    description: str
    author_name: str
    created_at: str
    status: Literal["open", "planned", "in_progress", "done", "declined"]
    team_comment: str | None
    votes: int
    voted: bool = Field(description="Whether I voted for it")


class SuggestionList(BaseModel):
    suggestions: list[SuggestionView]
    next_page: str | None


class SuggestionQuery(PageQuery):
    order: Literal["votes", "newest"] = "votes"


class RemovedQuery(PageQuery):
    kind: Literal["hidden", "merged"] = Field(default="hidden", description="What the support team did to them")


class VoteView(BaseModel):
    suggestion_id: str
    voted: bool


class StatusChange(Strict):
    status: Literal["open", "planned", "in_progress", "done", "declined"]
    comment: Comment | None = Field(default=None, description="The team's comment, shown with the suggestion (none: the previous comment goes)")


class MergeRequest(Strict):
    into: Id = Field(description="The suggestion this one duplicates: its votes move there")


class HideRequest(Strict):
    reason: text(2000, multiline=True, min_length=3) = Field(description="Why (kept with the suggestion, never shown to users)")


class SupportSuggestionView(BaseModel):
    id: str
    title: str
    description: str
    author_name: str
    status: str
    votes: int
    visible: bool
    merged_into: str | None
    hidden_reason: str | None
    team_comment: str | None
    created_at: str | None = None


class RemovedList(BaseModel):
    suggestions: list[SupportSuggestionView]
    next_page: str | None


class MergeResult(BaseModel):
    duplicate: SupportSuggestionView
    target: SupportSuggestionView
    votes_left: int = Field(description="0 when done; otherwise a large merge stopped between transactions: ask again")
    complete: bool


def _feedback(item: dict) -> dict:
    return {"id": item["feedback_id"], "category": item["category"], "text": item["text"], "about": item.get("about"),
            "status": item["status"], "created_at": item["created_at"], "author_name": item["author_name"],
            "answers": [{"text": a["text"], "at": a["at"]} for a in item.get("answers") or []]}


def _suggestion(item: dict) -> SuggestionView:
    return SuggestionView(id=item["suggestion_id"], title=item["title"], description=item["description"],
                          author_name=item["author_name"], created_at=item["created_at"], status=item["status"],
                          team_comment=item.get("team_comment"), votes=item["votes"], voted=bool(item.get("voted")))


def _support_view(item: dict) -> SupportSuggestionView:
    return SupportSuggestionView(id=item["suggestion_id"], title=item["title"], description=item["description"],
                                 author_name=item["author_name"], status=item["status"], votes=item["votes"],
                                 visible=bool(item.get("visible")), merged_into=item.get("merged_into"),
                                 hidden_reason=item.get("hidden_reason"), team_comment=item.get("team_comment"),
                                 created_at=item.get("created_at"))


# ---------- feedback ----------

@route(bp, "/feedback", "POST", summary="Send feedback to the support team (private between you and the team)",
       roles=USERS, body=NewFeedback, response=FeedbackView, status=201, tag="feedback")
def send_feedback(caller, body: NewFeedback):
    from care_tracker.wiring import feedback_service

    return FeedbackView(**_feedback(feedback_service().send_feedback(caller, body.category, body.text, body.about)))


@route(bp, "/feedback/mine", summary="My feedback, newest first, with the team's answers", roles=USERS,
       response=FeedbackList, tag="feedback")
def my_feedback(caller):
    from care_tracker.wiring import feedback_service

    return FeedbackList(feedback=[FeedbackView(**_feedback(f)) for f in feedback_service().my_feedback(caller)])


@route(bp, "/feedback/inbox", summary="Support team: feedback not yet answered, oldest first, with the time left of 48 hours",
       roles=SUPPORT, query=PageQuery, response=Inbox, tag="feedback")
def inbox(caller, query: PageQuery):
    from care_tracker.wiring import feedback_service

    items, next_page = feedback_service().inbox(query.page)
    return Inbox(feedback=[InboxItem(**_feedback(f), time_left_seconds=f["time_left_seconds"], overdue=f["overdue"])
                           for f in items], next_page=next_page)


@route(bp, "/feedback/{feedback_id}/answer", "POST", summary="Support team: answer feedback (emailed to the sender)",
       roles=SUPPORT, body=AnswerRequest, response=FeedbackView, tag="feedback")
def answer_feedback(feedback_id: str, caller, body: AnswerRequest):
    from care_tracker.wiring import feedback_service

    return FeedbackView(**_feedback(feedback_service().answer(caller, feedback_id, body.text)))


@route(bp, "/feedback/{feedback_id}/close", "POST", summary="Support team: close feedback (it leaves the inbox)",
       roles=SUPPORT, response=FeedbackView, tag="feedback")
def close_feedback(feedback_id: str, caller):
    from care_tracker.wiring import feedback_service

    return FeedbackView(**_feedback(feedback_service().close(feedback_id)))


# ---------- suggestions ----------

@route(bp, "/suggestions", "POST", summary="Suggest a feature: everyone signed in sees it and can vote for it",
       roles=USERS, body=NewSuggestion, response=SuggestionView, status=201, tag="feedback")
def post_suggestion(caller, body: NewSuggestion):
    from care_tracker.wiring import feedback_service

    return _suggestion(feedback_service().post_suggestion(caller, body.title, body.description))


@route(bp, "/suggestions", summary="Suggestions, most votes first (?order=newest for newest first), 20 a page",
       roles=(*USERS, *SUPPORT), query=SuggestionQuery, response=SuggestionList, tag="feedback")
def list_suggestions(caller, query: SuggestionQuery):
    from care_tracker.wiring import feedback_service

    page = feedback_service().suggestions(caller, query.order, query.page)
    return SuggestionList(suggestions=[_suggestion(s) for s in page.suggestions], next_page=page.next_page)


@route(bp, "/suggestions/{suggestion_id}/vote", "PUT", summary="Vote for a suggestion (once: voting again changes nothing)",
       roles=USERS, response=VoteView, tag="feedback")
def vote(suggestion_id: str, caller):
    from care_tracker.wiring import feedback_service

    return VoteView(**feedback_service().vote(caller, suggestion_id))


@route(bp, "/suggestions/{suggestion_id}/vote", "DELETE", summary="Withdraw my vote", roles=USERS, response=VoteView,
       tag="feedback")
def withdraw_vote(suggestion_id: str, caller):
    from care_tracker.wiring import feedback_service

    return VoteView(**feedback_service().withdraw(caller, suggestion_id))


@route(bp, "/suggestions/{suggestion_id}/status", "PUT", summary="Support team: set a suggestion's status, with a comment",
       roles=SUPPORT, body=StatusChange, response=SuggestionView, tag="feedback")
def set_status(suggestion_id: str, caller, body: StatusChange):
    from care_tracker.wiring import feedback_service

    return _suggestion(feedback_service().set_status(suggestion_id, body.status, body.comment))


@route(bp, "/suggestions/{suggestion_id}/merge", "POST",
       summary="Support team: merge a duplicate into another suggestion (votes move; who voted for both counts once)",
       roles=SUPPORT, body=MergeRequest, response=MergeResult, tag="feedback")
def merge(suggestion_id: str, caller, body: MergeRequest):
    from care_tracker.wiring import feedback_service

    result = feedback_service().merge(suggestion_id, body.into)
    return MergeResult(duplicate=_support_view(result["duplicate"]), target=_support_view(result["target"]),
                       votes_left=result["votes_left"], complete=result["complete"])


@route(bp, "/suggestions/{suggestion_id}/hide", "POST",
       summary="Support team: hide a suggestion holding personal data or abuse (the reason is kept)",
       roles=SUPPORT, body=HideRequest, response=SupportSuggestionView, tag="feedback")
def hide(suggestion_id: str, caller, body: HideRequest):
    from care_tracker.wiring import feedback_service

    return _support_view(feedback_service().hide(caller, suggestion_id, body.reason))


@route(bp, "/suggestions/removed", summary="Support team: suggestions it hid (?kind=hidden) or merged (?kind=merged), most recent first",
       roles=SUPPORT, query=RemovedQuery, response=RemovedList, tag="feedback")
def removed_suggestions(caller, query: RemovedQuery):
    from care_tracker.wiring import feedback_service

    items, next_page = feedback_service().removed_suggestions(query.kind, query.page)
    return RemovedList(suggestions=[_support_view(i) for i in items], next_page=next_page)


@route(bp, "/suggestions/{suggestion_id}", summary="Support team: one suggestion, hidden or merged ones too",
       roles=SUPPORT, response=SupportSuggestionView, tag="feedback")
def one_suggestion(suggestion_id: str, caller):
    from care_tracker.wiring import feedback_service

    return _support_view(feedback_service().suggestion(suggestion_id))
