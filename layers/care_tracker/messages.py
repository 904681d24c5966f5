"""The emails the service sends. Plain text, so they read the same in every mail client."""
from __future__ import annotations

from care_tracker.ports import Mail

SIGN_OFF = "\n\nCare Tracker support team"


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
