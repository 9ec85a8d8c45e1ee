"""How the test relay is started: its own key, the upstream it relays to, and its faults."""

from __future__ import annotations

from dataclasses import dataclass

from .faults import RELAY_FAULTS

# The reference profile whose targets are the relay in front of the scripted upstream
# (targets.yaml: `reference: relay`, or `reference: {profile: relay, faults: [RELAY_FAULT, ...]}`).
RELAY_PROFILE = "relay"
# The long-silence scenario's wait when the suite runs the relay: longer than the short-timeout
# fault's, short enough for the self-tests.
RELAY_SILENCE_S = 2.0


@dataclass(frozen=True)
class RelayConfig:
    key: str | None  # the key clients must present; None: no auth
    upstream_url: str  # the upstream's base URL (the path of each request is appended)
    upstream_key: str  # the relay's own upstream credential
    faults: tuple[str, ...] = ()  # keys into RELAY_FAULTS
    rate_limited_key: str | None = None  # a key the relay answers 429, as the reference gateway does

    def __post_init__(self) -> None:
        faults = (self.faults,) if isinstance(self.faults, str) else tuple(self.faults)
        object.__setattr__(self, "faults", faults)
        unknown = [name for name in faults if name not in RELAY_FAULTS]
        if unknown:
            raise ValueError(f"unknown relay fault(s) {', '.join(map(repr, unknown))}; valid: {', '.join(RELAY_FAULTS)}")
