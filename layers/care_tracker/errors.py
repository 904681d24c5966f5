"""Errors a caller can act on. Each maps to one HTTP status and the API's JSON error shape."""
from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}
        self.headers = headers or {}  # e.g. Retry-After on a 429

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class BadRequest(AppError):
    status, code = 400, "bad_request"


class ValidationFailed(AppError):
    status, code = 400, "validation_failed"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class TooManyRequests(AppError):
    status, code = 429, "too_many_requests"


class SealedError(ValueError):
    """A sealed or signed value that was changed, is not ours, or has expired (never shown as such)."""
