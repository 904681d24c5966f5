"""The emails the service sends. Plain text, so they read the same in every mail client."""
from __future__ import annotations

from care_tracker.ports import Mail

SIGN_OFF = "\n\nCare Tracker support team"
# Every mail is sent from a no-reply address with Reply-To the support team (adapters/ses_mailer.py),
# so "reply to this email" reaches people who can help.
REPLY = "reply to this email (it reaches the Care Tracker support team)"


def month(period: str) -> str:
    """'2026-12' as people write it: 'December 2026'."""
    from datetime import date

    year, number = (int(part) for part in period.split("-"))
    return f"{date(year, number, 1):%B %Y}"


def _care_type(care_type: str) -> str:
    return care_type.replace("_", " ")


def welcome(to: str, full_name: str, temporary_password: str, login_url: str) -> Mail:
    return Mail(
        to=to,
        subject="Your Care Tracker account",
        body=(
            f"Hello {full_name},\n\n"
            f"An account has been created for you on Care Tracker.\n\n"
            f"Log in at {login_url} with:\n"
            f"  Username: {to}\n"
            f"  Temporary password: {temporary_password}\n\n"
            "You will be asked to choose your own password when you first log in. "
            "The temporary password stops working after 7 days." + SIGN_OFF
        ),
    )


def reset_code(to: str, code: str) -> Mail:
    return Mail(
        to=to,
        subject="Your Care Tracker password reset code",
        body=f"Your password reset code is {code}\n\nIf you did not ask to reset your password, ignore this email." + SIGN_OFF,
    )


def registration_waiting(to: str, organisation: str, applicant: str, job_title: str | None, location_names: list[str],
                         login_url: str) -> Mail:
    """To the organisation's approvers (or the support team): who asked, for which locations, by name."""
    who = f"{applicant} ({job_title})" if job_title else applicant
    return Mail(
        to=to,
        subject=f"A Care Tracker access request is waiting for you: {applicant}",
        body=(
            f"{who} has asked for access to Care Tracker for these locations of {organisation}:\n"
            f"{_listed(location_names)}\n\nLog in at {login_url} to approve or reject the request." + SIGN_OFF
        ),
    )


def registration_rejected(to: str, full_name: str, reason: str) -> Mail:
    return Mail(
        to=to,
        subject="Your Care Tracker access request",
        body=(
            f"Hello {full_name},\n\nYour request for a Care Tracker account was not approved.\n\n"
            f"Reason: {reason}\n\nIf you think this is a mistake, speak to your organisation's approver, or "
            f"{REPLY}." + SIGN_OFF
        ),
    )


def _window_dates(window) -> str:
    return f"{window.first_day:%A %-d %B} to the end of {window.last_day:%A %-d %B %Y}"


def _listed(lines: list[str], limit: int = 30) -> str:
    shown = [f"  - {line}" for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(f"  ... and {len(lines) - limit} more")
    return "\n".join(shown)


def window_open(to: str, full_name: str, window, locations: list[tuple[str, list[str]]], login_url: str) -> Mail:
    """RULES 1.4: the window has opened (sent by the open_window job): each location with the care
    types it owes a return for."""
    lines = [f"{name}: {', '.join(_care_type(ct) for ct in care_types)}" for name, care_types in locations]
    return Mail(
        to=to,
        subject=f"The {window.first_day:%B %Y} returns window is open",
        body=(
            f"Hello {full_name},\n\nThe Care Tracker returns window for {window.first_day:%B %Y} is open from "
            f"{_window_dates(window)}.\n\nPlease make a return for each of these care types:\n{_listed(lines)}\n\n"
            "Returns saved inside the window count towards this month. A service supporting nobody makes a nil return; "
            f"if nothing has changed since last month, choose 'no change'.\n\nLog in at {login_url}" + SIGN_OFF
        ),
    )


def returns_missing(to: str, full_name: str, window, missing: list[tuple[str, str, str | None]], login_url: str) -> Mail:
    """RULES 1.4: a reminder before the window closes, one line per location and care type still
    missing; beside those that had a return last month, the link that saves "no change"."""
    lines = [f"{name}: {ct.replace('_', ' ')}" + (f" - nothing changed? {link}" if link else "")
             for name, ct, link in missing]
    links = any(link for _, _, link in missing)
    return Mail(
        to=to,
        subject=f"Reminder: {window.first_day:%B %Y} returns still missing",
        body=(
            f"Hello {full_name},\n\nThe returns window for {window.first_day:%B %Y} closes at the end of "
            f"{window.last_day:%A %-d %B %Y}. These returns have not been made yet:\n{_listed(lines)}\n\n"
            + ("If nothing has changed since last month, open the link beside it: it shows last month's figures "
               "and saves them for this month when you press \"Nothing has changed\". Each link works once.\n\n"
               if links else "")
            + f"Log in at {login_url} to make them." + SIGN_OFF
        ),
    )


def compliance_help(to: str, location_name: str, period: str, next_window) -> Mail:
    """RULES 1.6: after a first missed month, the provider is offered help."""
    return Mail(
        to=to,
        subject=f"{location_name}: the {month(period)} return was missed - can we help?",
        body=(
            f"Hello,\n\nCare Tracker has no complete return for {location_name} for {month(period)} saved inside the "
            "reporting window. Every care type of a location needs a return each month (a nil return counts).\n\n"
            f"If something stopped you making the return, {REPLY}: the support team will help, and a "
            "return that was late for a good reason (an outage, for example) can still be accepted.\n\n"
            f"The next window is open from {_window_dates(next_window)}." + SIGN_OFF
        ),
    )


def compliance_at_risk(to: str, location_name: str, period: str, consecutive_misses: int, next_window) -> Mail:
    """RULES 1.6: after two consecutive missed months, a warning with the next window's real dates."""
    return Mail(
        to=to,
        subject=f"{location_name} is at risk of a penalty: {consecutive_misses} returns missed in a row to {month(period)}",
        body=(
            f"Hello,\n\n{location_name} has missed {consecutive_misses} monthly returns in a row, up to {month(period)}.\n\n"
            "A location that misses 3 months in a row, or 4 or more months within 12, becomes eligible for a "
            "penalty under section 277A of the Health and Social Care Act 2012. Please make the next return inside "
            f"the window, open from {_window_dates(next_window)}, or {REPLY} if you need help." + SIGN_OFF
        ),
    )


def case_opened(to: str, organisation: str, missed: dict[str, list[str]], login_url: str) -> Mail:
    """RULES 1.6: an enforcement case has opened; the organisation's approvers are told at once."""
    lines = [f"{name}: {', '.join(month(p) for p in periods)}" for name, periods in missed.items()]
    return Mail(
        to=to,
        subject=f"An enforcement case has been opened for {organisation}",
        body=(
            f"Hello,\n\nCare Tracker has opened an enforcement case for {organisation} because monthly returns "
            f"were missed:\n{_listed(lines)}\n\nAn enforcement officer will look at the case. Making every return "
            f"inside its window from now on helps; if something stopped you, {REPLY}.\n\n"
            f"Log in at {login_url} to see your locations' returns." + SIGN_OFF
        ),
    )


def notice_issued(to: str, organisation: str, step: str, reason: str, due: str | None, login_url: str) -> Mail:
    """RULES 1.6: each notice on a case (intent, final) is emailed to the organisation's approvers."""
    from datetime import date

    name = {"issue_notice": "a notice of intent", "issue_final_notice": "a final notice",
            "impose_penalty": "a penalty"}.get(step, step.replace("_", " "))
    until = f"\n\nYou can make representations until {date.fromisoformat(due):%A %-d %B %Y}." if due else ""
    return Mail(
        to=to,
        subject=f"Care Tracker: {name} for {organisation}",
        body=(f"Hello,\n\nAn enforcement officer has issued {name} to {organisation}.\n\nReason: {reason}{until}\n\n"
              f"If you have questions, {REPLY}.\n\nLog in at {login_url} to see your locations' returns." + SIGN_OFF),
    )


# ---------- feedback (RULES 2.7; issue 13) ----------

def _quoted(text: str, limit: int = 600) -> str:
    text = text if len(text) <= limit else text[:limit].rstrip() + "..."
    return "\n".join(f"> {line}" for line in text.splitlines())


def feedback_answered(to: str, full_name: str, feedback_text: str, answer: str, login_url: str) -> Mail:
    return Mail(
        to=to,
        subject="The Care Tracker team has answered your feedback",
        body=(f"Hello {full_name},\n\nYou wrote:\n{_quoted(feedback_text)}\n\nOur answer:\n{answer}\n\n"
              f"You can see your feedback and every answer when you log in at {login_url} (Feedback)." + SIGN_OFF),
    )


def feedback_overdue(to: str, feedback: dict, login_url: str) -> Mail:
    return Mail(
        to=to,
        subject="Feedback waiting more than 48 hours for an answer",
        body=(f"This feedback was sent at {feedback['created_at'][:16].replace('T', ' ')} (UTC) and has not been "
              f"answered within 48 hours.\n\nFrom: {feedback['author_name']}\nAbout: {feedback.get('about') or '-'}\n"
              f"Reference: {feedback['feedback_id']}\n\n{_quoted(feedback['text'])}\n\n"
              f"Answer it from the support inbox at {login_url}." + SIGN_OFF),
    )


def commissioner_request_waiting(to: str, areas: str, login_url: str) -> Mail:
    return Mail(
        to=to,
        subject="A Care Tracker commissioner request is waiting for you",
        body=(
            f"Someone has asked for a commissioner account for {areas} on Care Tracker.\n\n"
            f"Log in at {login_url} to check who they are, then approve or reject the request." + SIGN_OFF
        ),
    )


# ---------- employers and PAs (issue 11) ----------
def pa_welcome(to: str, full_name: str, employer_name: str, temporary_password: str, login_url: str) -> Mail:
    return Mail(
        to=to,
        subject="You have been added as a personal assistant on Care Tracker",
        body=(
            f"Hello {full_name},\n\n{employer_name} has added you as their personal assistant on Care Tracker, "
            "where you will see your shifts and record your hours.\n\n"
            f"Log in at {login_url} with:\n"
            f"  Username: {to}\n"
            f"  Temporary password: {temporary_password}\n\n"
            "You will be asked to choose your own password when you first log in. "
            "The temporary password stops working after 7 days." + SIGN_OFF
        ),
    )


def pa_added(to: str, full_name: str, employer_name: str, login_url: str) -> Mail:
    return Mail(
        to=to,
        subject="Another employer has added you on Care Tracker",
        body=(
            f"Hello {full_name},\n\n{employer_name} has added you as their personal assistant on Care Tracker. "
            f"Log in at {login_url} with your usual email and password: you will see this employment beside "
            "your others.\n\nIf you do not work for them, tell them or reply to the support team." + SIGN_OFF
        ),
    )


def pa_reactivated(to: str, full_name: str, employer_name: str, temporary_password: str | None, login_url: str) -> Mail:
    login = (f"Log in at {login_url} with:\n  Username: {to}\n  Temporary password: {temporary_password}\n\n"
             "You will be asked to choose a new password first, then to fill in your details again."
             if temporary_password else
             f"Log in at {login_url} with your usual email and password, and fill in your details again.")
    return Mail(
        to=to,
        subject="Your employer has taken you back on Care Tracker",
        body=(f"Hello {full_name},\n\n{employer_name} has reactivated you as their personal assistant on Care Tracker. "
              "Your personal details were deleted when you left, so you need to enter them again.\n\n" + login + SIGN_OFF),
    )
