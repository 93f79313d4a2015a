"""The few named errors services raise; the edges map them to exit codes and HTTP problems."""

from __future__ import annotations


class ArrearsError(Exception):
    """An expected failure with a message fit for the user."""

    exit_code = 1


class NotFound(ArrearsError):
    exit_code = 3


class Conflict(ArrearsError):
    """The request contradicts what is already recorded (e.g. a payment id reused)."""

    exit_code = 4


class InvalidInput(ArrearsError):
    exit_code = 2


class Forbidden(ArrearsError):
    """The user may not do this, or may not see this object."""

    exit_code = 7


class TooManyAttempts(ArrearsError):
    """Sign-in refused for a while after repeated failures."""

    exit_code = 8

    def __init__(self, message: str, retry_after_seconds: int):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
