"""The one error type the domain raises; its code reaches clients as extensions.code."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"


class DomainError(Exception):
    """A failure the person asking can understand and act on."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def bad_input(message: str) -> DomainError:
    return DomainError(ErrorCode.BAD_USER_INPUT, message)


def not_found(message: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, message)
