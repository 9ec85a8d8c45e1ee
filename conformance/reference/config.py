"""How a reference gateway is started: key, profile, faults and timing."""

from __future__ import annotations

from dataclasses import dataclass

from .faults import FAULTS
from .profiles import PROFILES, Profile


@dataclass(frozen=True)
class GatewayConfig:
    key: str | None = None  # the one accepted API key; None: no auth required
    profile: str = "full"  # key into PROFILES
    faults: tuple[str, ...] = ()  # keys into FAULTS
    latency_ms: int = 0  # delay before the first byte of every response, errors included
    stream_interval_ms: int = 15  # pause between streamed events, so clean streams arrive in pieces
    # Words of the answer per streamed event: Google sends ~25-50 tokens an event, so a short answer
    # is one event (conformance/recordings). The reference's own unit tests read it two at a time.
    words_per_event: int = 16
    # The API is served under this path (e.g. "/gemini" serves /gemini/v1beta/...), like a gateway
    # mounted behind a reverse proxy; "" serves it at the root.
    path_prefix: str = ""
    # A second, valid key whose quota is used up: every request with it gets Google's 429
    # RESOURCE_EXHAUSTED (with QuotaFailure and RetryInfo), so rate-limit answers can be checked.
    rate_limited_key: str | None = None

    def __post_init__(self) -> None:
        # Accept a single name or any iterable, but store a tuple so the config stays hashable.
        faults = (self.faults,) if isinstance(self.faults, str) else tuple(self.faults)
        object.__setattr__(self, "faults", faults)
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r}; valid profiles: {', '.join(PROFILES)}")
        unknown = [name for name in faults if name not in FAULTS]
        if unknown:
            raise ValueError(f"unknown fault(s) {', '.join(map(repr, unknown))}; valid faults: {', '.join(FAULTS)}")
        if self.latency_ms < 0 or self.stream_interval_ms < 0:
            raise ValueError("latency_ms and stream_interval_ms must not be negative")
        if self.words_per_event < 1:
            raise ValueError("words_per_event must be at least 1")
        if self.path_prefix and (not self.path_prefix.startswith("/") or self.path_prefix.endswith("/")):
            raise ValueError(f"path_prefix {self.path_prefix!r} must start with '/' and not end with one")

    @property
    def gateway_profile(self) -> Profile:
        return PROFILES[self.profile]
