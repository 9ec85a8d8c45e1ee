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

    @property
    def gateway_profile(self) -> Profile:
        return PROFILES[self.profile]
