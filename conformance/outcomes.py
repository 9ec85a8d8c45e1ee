"""What a check can end in: the one ``Outcome`` type, and the exceptions a check raises to reach it.

The plugin decides a check's outcome once, when the check reports (``conformance.plugin``), and every
writer reads that decision from results.json. The exceptions carry the evidence a reader of the
report needs, so that the plugin can print one clean paragraph instead of a traceback.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from conformance.client.exchange import Exchange


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


class ResponseTooLarge(RuleViolation):
    """The gateway sent more than the client keeps (a cap on the body, or on what it inflates to):
    the checks that read the response fail with it, and the run goes on."""


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


def without_frames(error: BaseException) -> BaseException:
    """The error without the frames it was raised through, nor the errors it replaced: those frames
    hold what the request had read (a body cut at its byte cap is megabytes), and an outcome is kept
    until its target's last check reads it. Its message and evidence hold all a report shows."""
    error.__traceback__ = None
    error.__context__ = error.__cause__ = None  # `raise ... from None` hides the replaced error, but keeps it
    return error


class Outcome(str, Enum):
    """What one check (a rule on a target, one parametrized case) ended in."""

    PASS = "pass"
    FAIL = "fail"  # the gateway broke the rule
    TIMEOUT = "timeout"  # a request the check needed exceeded its bound
    ERROR = "error"  # no verdict: the suite or its setup failed
    DEVIATION = "deviation"  # failed, as the target declares in targets.yaml (until it expires)
    SKIPPED = "skipped"  # not run; the record's SkipKind says why
    BLOCKED = "blocked"  # not judged: a rule it rests on failed first (the record says which)
    MODEL_DECIDED = "model decided"  # the evidence shows the model, not the gateway, decided

    @property
    def broken(self) -> bool:
        """A failure of the gateway's: what a level, a certificate and a baseline count against it."""
        return self in BROKEN

    def __str__(self) -> str:
        return self.value


BROKEN = frozenset({Outcome.FAIL, Outcome.TIMEOUT, Outcome.ERROR})
# The same, as results.json writes outcomes (the reports read records, not Outcome members).
BROKEN_VALUES = frozenset(outcome.value for outcome in BROKEN)
# Worst first: a rule's outcome is the worst of its checks' (its parametrized cases).
SEVERITY = (
    Outcome.ERROR,
    Outcome.TIMEOUT,
    Outcome.FAIL,
    Outcome.BLOCKED,
    Outcome.DEVIATION,
    Outcome.MODEL_DECIDED,
    Outcome.SKIPPED,
    Outcome.PASS,
)


class SkipKind(str, Enum):
    """Why a check was skipped."""

    NO_KEY = "no key"  # the key variable (the target's, or its upstream's) is not set
    NOT_DECLARED = "not declared"  # the rule does not apply to what the target declares
    NOT_SELECTED = "not selected"  # left out of the run (--level deselects instead: its levels read "not run")
    NOT_JUDGED = "not judged"  # nothing to judge it on (no 429 seen, the SDK not installed, ...)

    def __str__(self) -> str:
        return self.value


class NoKey(pytest.skip.Exception):
    """A check skipped because a key it needs is not in the environment."""

    __module__ = "builtins"  # as pytest's own Skipped: a skip reads "NoKey: <reason>", not a dotted path


class NotApplicable(pytest.skip.Exception):
    """A check skipped because its rule does not apply to the target's declarations."""

    __module__ = "builtins"


class Blocked(pytest.skip.Exception):
    """A check that could not judge because a rule it rests on failed (that rule's check says how):
    not a failure of its own, but its rule did not run, so a level that needs it is not reached."""

    __module__ = "builtins"

    def __init__(self, reason: str, by: str) -> None:
        super().__init__(f"blocked by {by}: {reason}")
        self.by = by


class ModelDecided(pytest.skip.Exception):
    """A check whose evidence shows the model, not the gateway, decided (it declined to think, to
    draw, to call): never a gateway failure, and it does not count against a level."""

    __module__ = "builtins"


NOT_APPLICABLE = "not applicable: "


def blocked(reason: str, by: str) -> NoReturn:
    """Stop a check that cannot judge because rule ``by`` failed (``by`` reports the failure)."""
    raise Blocked(reason, by)


def model_decided(reason: str) -> NoReturn:
    raise ModelDecided(f"model decided: {reason}")


def not_judged(reason: str) -> NoReturn:
    """Skip a check that has nothing to judge (no 429 seen, a replay with no recording of the request)."""
    raise pytest.skip.Exception(f"not judged: {reason}")


def skip_kind(error: BaseException) -> SkipKind:
    if isinstance(error, NoKey):
        return SkipKind.NO_KEY
    if isinstance(error, NotApplicable):
        return SkipKind.NOT_DECLARED
    return SkipKind.NOT_JUDGED


def no_key(reason: str) -> NoReturn:
    """Skip a check whose target (or upstream) key is not set: the run did not judge it."""
    raise NoKey(reason)


def not_applicable(reason: str) -> NoReturn:
    """Skip a check that does not apply to what the target declares.

    Unlike other skips (no key, no model), it does not keep a conformance level from being reached, so
    it may come only from the declarations: a check that cannot judge because another rule failed is
    ``blocked``.
    """
    raise NotApplicable(NOT_APPLICABLE + reason)
