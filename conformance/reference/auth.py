"""API keys: where a client may put one, and whether the gateway lets the request in.

The four placements, named the same way everywhere in the suite:
`bearer` (Authorization: Bearer KEY), `x-goog-api-key` and `x-api-key` (headers), `query` (?key=KEY).
A key in a placement the profile does not read counts as no key at all.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import envelopes
from .behaviour import Behaviour
from .profiles import Profile


def presented_keys(headers: Mapping[str, str], query: Mapping[str, str]) -> dict[str, str]:
    """The non-empty keys a request carries, by placement."""
    authorization = headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    found = {
        "bearer": token if scheme.lower() == "bearer" else "",
        "x-goog-api-key": headers.get("x-goog-api-key", ""),
        "x-api-key": headers.get("x-api-key", ""),
        "query": query.get("key", ""),
    }
    return {placement: key.strip() for placement, key in found.items() if key.strip()}


def authenticate(
    expected_key: str | None,
    profile: Profile,
    behaviour: Behaviour,
    presented: dict[str, str],
    rate_limited_key: str | None = None,
) -> None:
    """Return if the request may proceed; raise the auth (or quota) error otherwise."""
    readable = [
        key
        for placement, key in presented.items()
        if placement in profile.auth and behaviour.reads_placement(placement)
    ]
    if rate_limited_key is not None and rate_limited_key in readable:
        raise envelopes.rate_limited()
    if expected_key is None:
        return
    if expected_key in readable:
        return
    if behaviour.admits("invalid" if readable else "missing"):
        return
    if readable:
        raise envelopes.invalid_key(readable[0], profile.invalid_key_status, profile.google_wording)
    raise envelopes.missing_key(profile.auth_failure_status, profile.auth, profile.google_wording)
