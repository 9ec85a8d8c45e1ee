"""The bounds a client keeps to: its timeouts and its retry policy (a target declares them in
targets.yaml; the client does not know targets)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 10.0
    read: float = 120.0
    image: float = 600.0  # AIone: "set your HTTP timeout to at least 600 seconds" for 4K images


# What a response may weigh, as sent and as inflated: a real 4K image answer is about 30 MB of JSON.
MAX_RESPONSE_MB = 64.0
# The most lines of an event stream the client parses: parsing keeps an object per line, so a
# stream of a million tiny events would cost ~40 times its bytes. Real streams have hundreds of lines
# (a 4K image is one line of one event).
MAX_SSE_LINES = 200_000
# What a compressed body may inflate to, relative to its size as sent (beyond that: a decompression bomb).
MAX_INFLATION = 200


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Real gateways rate-limit: retry a 429 (or a 503 that says when) a bounded number of times."""

    max: int = 2
    max_delay: float = 30.0  # a longer Retry-After is not waited for: the 429 stands
    # All the waiting before retries a run may do on one target: a gateway that answers every request
    # 429 with Retry-After: 30 would otherwise make each request take a minute, and a run hours.
    budget_s: float = 120.0
