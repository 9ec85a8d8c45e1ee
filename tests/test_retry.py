"""Rate limits: bounded, visible retries that honour the gateway's hints."""

from __future__ import annotations

import json

import httpx
import pytest

from conformance.client.http import GeminiClient
from conformance.client.limits import RetryPolicy, Timeouts
from conformance.client.redact import Redactor
from conformance.client.retry import retry_delay

RETRY_INFO = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.01s"}


def _client(handler, policy=RetryPolicy(max=2, max_delay=1)) -> GeminiClient:
    client = GeminiClient(
        target="t", base_url="http://gw.test", key="k-123456", auth=("bearer",), timeouts=Timeouts(1, 1, 1),
        redactor=Redactor(), retries=policy,
    )
    client._http = httpx.Client(transport=httpx.MockTransport(handler))
    return client


def _reply(status: int, body: dict, headers: dict | None = None) -> httpx.Response:
    # A streamed body, as from the network (a Response built with json= is already read).
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(json.dumps(body).encode()))


def _error(status: int, *details) -> dict:
    return {"error": {"code": status, "message": "slow down", "status": "RESOURCE_EXHAUSTED", "details": list(details)}}


def test_a_429_with_retry_info_is_retried_and_the_retry_is_kept():
    answers = iter([_reply(429, _error(429, RETRY_INFO)), _reply(200, {"candidates": []})])
    client = _client(lambda request: next(answers))
    exchange = client.generate("m", {"contents": []})
    assert exchange.status == 200
    assert exchange.retries == [(429, 0.01)]
    assert "after retries: HTTP 429 then waited 0.01 s" in exchange.describe()
    assert [e.status for e in client.ledger.drain()] == [429, 200]


def test_retries_are_bounded():
    exchange = _client(lambda request: _reply(429, _error(429), {"Retry-After": "0"})).generate("m", {})
    assert exchange.status == 429 and len(exchange.retries) == 2


@pytest.mark.parametrize(
    "status, headers, body, expected",
    [
        (503, {}, _error(503), None),  # an answer (e.g. image streaming refused), not a hiccup
        (503, {"Retry-After": "2"}, _error(503), 2.0),
        (429, {}, _error(429), 1.0),  # exponential backoff when the gateway gives no hint
        (429, {"Retry-After": "120"}, _error(429), None),  # longer than max_delay: the 429 stands
        (401, {"Retry-After": "1"}, _error(401), None),
    ],
)
def test_retry_delay(status, headers, body, expected):
    exchange = _client(lambda request: _reply(status, body, headers), RetryPolicy(max=0)).generate("m", {})
    assert retry_delay(exchange, 0, RetryPolicy(max=2, max_delay=30)) == expected


def test_the_target_has_one_retry_budget_for_all_its_requests():
    """With Retry-After: 0.2 on every request and a budget of 0.5 s, the run waits twice in all, not
    twice per request: then the 429s stand."""
    client = _client(lambda request: _reply(429, _error(429), {"retry-after": "0.2"}), RetryPolicy(max=2, max_delay=1, budget_s=0.5))
    waits = [len(client.generate("m", {"contents": []}).retries) for _ in range(3)]
    assert waits == [2, 0, 0]
