"""What a check can end in, besides passing.

These exceptions carry the evidence a reader of the report needs, so that the plugin can print one
clean paragraph instead of a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from conformance.client.http import Exchange


class RuleViolation(AssertionError):
    """The gateway did something the rule forbids."""

    def __init__(
        self,
        summary: str,
        *,
        expected: Any = None,
        actual: Any = None,
        path: str | None = None,
        exchange: Exchange | None = None,
        details: tuple[str, ...] = (),
    ) -> None:
        super().__init__(summary)
        self.summary = summary
        self.expected = expected
        self.actual = actual
        self.path = path
        self.exchange = exchange
        self.details = details


class RequestTimedOut(Exception):
    """A request exceeded its bound: its own outcome, never a hang."""

    def __init__(self, *, elapsed: float, bound: float, what: str, curl: str) -> None:
        super().__init__(f"timeout after {elapsed:.1f} s (bound {bound:g} s): {what}")
        self.elapsed = elapsed
        self.bound = bound
        self.what = what
        self.curl = curl


class GatewayUnreachable(Exception):
    """The target could not be reached at all; the message says what to fix."""


NOT_APPLICABLE = "not applicable: "


def not_applicable(reason: str) -> NoReturn:
    """Skip a check that does not apply to what the target declares (or to what it already failed).

    Unlike other skips (no key, no model), it does not keep a conformance level from being reached.
    """
    import pytest

    pytest.skip(NOT_APPLICABLE + reason)
