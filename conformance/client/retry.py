"""When to retry a rate-limited request, and after how long.

Real gateways rate-limit. A 429 is retried a bounded number of times, honouring ``Retry-After`` or
Google's ``RetryInfo.retryDelay``; a 503 only when it says when to come back (an image model's
documented 503 for streaming is an answer, not a hiccup). Every retry is kept on the Exchange and
shown in the report, so a retry never silently changes a verdict.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from conformance.client.limits import RetryPolicy
from conformance.google_rpc import RETRY_INFO

if TYPE_CHECKING:
    from conformance.client.exchange import Exchange

DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)s$")
SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def retry_delay(exchange: Exchange, retries_so_far: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before retrying ``exchange``, or None to keep its answer."""
    if retries_so_far >= policy.max or exchange.status not in (429, 503):
        return None
    hinted = _hinted_delay(exchange)
    if hinted is None and exchange.status == 503:
        return None
    delay = hinted if hinted is not None else float(2**retries_so_far)
    return delay if delay <= policy.max_delay else None


def _hinted_delay(exchange: Exchange) -> float | None:
    header = exchange.headers.get("retry-after", "").strip()
    if SECONDS.fullmatch(header):  # ASCII digits only: "²".isdigit() is true, float("²") raises
        return float(header)
    try:
        details = json.loads(exchange.body)["error"]["details"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and detail.get("@type") == RETRY_INFO:
            match = DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None
