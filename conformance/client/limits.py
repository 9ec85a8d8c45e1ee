"""The bounds a client keeps to: its timeouts and its retry policy (a target declares them in
targets.yaml; the client does not know targets)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 10.0
    read: float = 120.0
    image: float = 600.0  # AIone: "set your HTTP timeout to at least 600 seconds" for 4K images


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Real gateways rate-limit: retry a 429 (or a 503 that says when) a bounded number of times."""

    max: int = 2
    max_delay: float = 30.0  # a longer Retry-After is not waited for: the 429 stands
