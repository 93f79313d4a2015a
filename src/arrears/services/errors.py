"""The few named errors services raise; the edges map them to exit codes and HTTP problems."""

from __future__ import annotations

from arrears.domain.reasons import Reason


class ArrearsError(Exception):
    """An expected failure with a message fit for the user.

    ``code`` and ``params`` (a key of the pages' message catalogs and what fills it in)
    let a page say it in the reader's language; ``str(error)`` is always the English
    text. A ``Reason`` as the message brings its own code and parameters.
    """

    exit_code = 1

    def __init__(self, message: str = "", *args: object, code: str | None = None, **params: object):
        super().__init__(message, *args)
        if code is None and isinstance(message, Reason):
            code, params = message.code, dict(message.params)
        self.code = code
        self.params = params


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
